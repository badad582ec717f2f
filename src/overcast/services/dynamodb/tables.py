"""DynamoDB's control plane: CreateTable, DescribeTable, UpdateTable (billing, streams, GSIs
added with a real backfill, SSE, table class, deletion protection), DeleteTable, ListTables,
TTL and tags.

A table answers CreateTable as CREATING and is ACTIVE from then on (boto3's `table_exists`
waiter reads ACTIVE at its first DescribeTable); a GSI added by UpdateTable is CREATING until
its backfill, run on a thread of its own, has indexed every item.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime

from overcast.services.dynamodb import schema
from overcast.services.dynamodb.changes import Changes, Key, expiry, index_key
from overcast.services.dynamodb.description import describe
from overcast.services.dynamodb.errors import (
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)
from overcast.services.dynamodb.schema import Index, Stream, Table
from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.dynamodb.types import invalid

NOTHING_TO_UPDATE = (
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required"
)
UPDATES = (
    "ProvisionedThroughput", "BillingMode", "StreamSpecification", "GlobalSecondaryIndexUpdates",
    "SSESpecification", "DeletionProtectionEnabled", "TableClass",
)  # fmt: skip


def not_found(name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")


class TableService:
    def __init__(self, store: DynamoDbStore, account: str, clock=time.time) -> None:
        self.store = store
        self.account = account
        self.clock = clock
        self.changes = Changes(store, clock)
        self._lock = threading.RLock()
        self._tables: dict[tuple[str, str], Table] = {}
        for doc in store.tables():
            table = Table.from_doc(doc)
            self._tables[(table.region, table.name)] = table
        for table in list(self._tables.values()):
            for index in table.indexes.values():
                if index.status == "CREATING":  # a backfill the last run did not finish
                    self._start_backfill(table, index)

    # --- lookups ---

    def find(self, region: str, name: str) -> Table | None:
        return self._tables.get((region, name))

    def get(self, region: str, name: str) -> Table:
        """The table, or DescribeTable's ResourceNotFoundException."""
        table = self.find(region, name)
        if table is None:
            raise not_found(name)
        return table

    def all(self) -> list[Table]:
        return list(self._tables.values())

    def _save(self, table: Table) -> None:
        self.store.save_table(table.region, table.name, table.doc())
        self._tables[(table.region, table.name)] = table

    def description(self, table: Table, status: str = "ACTIVE") -> dict:
        return describe(table, self.store.stats(table.table_id), status)

    # --- CreateTable / DeleteTable / ListTables ---

    def create(self, region: str, params: dict) -> dict:
        mode, throughput = schema.check_billing(params)
        defined = schema.check_definitions(params)
        keys = schema.check_table_keys(params, defined)
        indexes = schema.check_indexes(params, defined, keys, mode)
        schema.check_all_used(defined, keys, indexes)
        view_type = schema.check_stream_spec(params.get("StreamSpecification"), creating=True)
        sse = schema.check_sse(params.get("SSESpecification"), region, self.account, _uuid())
        table_class = schema.check_table_class(params.get("TableClass"))
        tags = _tags(params.get("Tags") or [])
        name = params["TableName"]
        now = self.clock()
        table = Table(
            region, self.account, name, _uuid(), now, keys,
            [dict(d) for d in params["AttributeDefinitions"]], mode, throughput,
            {index.name: index for index in indexes}, None, sse, table_class,
            bool(params.get("DeletionProtectionEnabled")), None, tags,
        )  # fmt: skip
        with self._lock, self.store.transaction():
            if (region, name) in self._tables:
                raise ResourceInUseException(f"Table already exists: {name}")
            if view_type is not None:
                self._enable_stream(table, view_type)
            self._save(table)
        return self.description(table, "CREATING")

    def delete(self, region: str, name: str) -> dict:
        with self._lock:
            table = self.get(region, name)
            if table.deletion_protection:
                raise ValidationException(
                    "Resource cannot be deleted as it is currently protected against deletion. "
                    "Disable deletion protection first."
                )
            answer = self.description(table, "DELETING")
            with self.store.transaction():
                if table.stream is not None and table.stream.enabled:
                    self.store.disable_stream(table.stream.arn, int(self.clock() * 1000))
                self.store.drop_table(region, name, table.table_id)
            del self._tables[(region, name)]
        return answer

    def names(self, region: str) -> list[str]:
        return sorted(name for (r, name) in self._tables if r == region)

    # --- UpdateTable ---

    def update(self, region: str, params: dict) -> dict:
        if not any(params.get(member) is not None for member in UPDATES):
            raise ValidationException(NOTHING_TO_UPDATE)
        # One transaction: a refused part leaves nothing of the others behind.
        with self._lock, self.store.transaction():
            table = self.get(region, params["TableName"])
            changed = Table.from_doc(table.doc())
            status = self._update_billing(changed, params)
            if params.get("StreamSpecification") is not None:
                self._update_stream(changed, params["StreamSpecification"])
            created = self._update_indexes(changed, params)
            if params.get("SSESpecification") is not None:
                changed.sse = self._update_sse(changed, params["SSESpecification"])
            if params.get("TableClass") is not None:
                changed.table_class = schema.check_table_class(params["TableClass"])
            if params.get("DeletionProtectionEnabled") is not None:
                changed.deletion_protection = params["DeletionProtectionEnabled"]
            self._save(changed)
        with self._lock:
            for index in created:
                self._start_backfill(changed, index)
        return self.description(changed, "UPDATING" if status or created else "ACTIVE")

    def _update_billing(self, table: Table, params: dict) -> bool:
        mode = params.get("BillingMode") or table.billing_mode
        throughput = params.get("ProvisionedThroughput")
        if mode == "PAY_PER_REQUEST":
            if throughput:
                raise invalid(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                    "BillingMode is PAY_PER_REQUEST"
                )
            if table.billing_mode != mode:
                table.billing_mode, table.billing_switched = mode, self.clock()
                table.throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
                return True
            return params.get("BillingMode") is not None
        if throughput is None:
            if table.billing_mode != mode:
                raise invalid(
                    "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
                )
            return False
        units = schema.check_units(throughput)
        if table.billing_mode == mode and units == table.throughput:
            raise ValidationException(_same_throughput(table.throughput, units))
        table.billing_mode, table.throughput = mode, units
        return True

    def _update_stream(self, table: Table, spec: dict) -> None:
        view_type = schema.check_stream_spec(spec, creating=False)
        enabled = table.stream is not None and table.stream.enabled
        if view_type is not None:
            if enabled:
                raise ValidationException(
                    f"Table already has an enabled stream: TableName: {table.name}"
                )
            self._enable_stream(table, view_type)
            return
        if not enabled:
            raise ValidationException(f"Table has no stream to disable: TableName: {table.name}")
        table.stream.enabled = False
        self.store.disable_stream(table.stream.arn, int(self.clock() * 1000))

    def _enable_stream(self, table: Table, view_type: str) -> None:
        now = self.clock()
        label = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        arn = f"{table.arn}/stream/{label}"
        if table.stream is not None and table.stream.arn == arn:  # two in one millisecond
            label = datetime.fromtimestamp(now + 0.001, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            arn = f"{table.arn}/stream/{label}"
        table.stream = Stream(arn, label, view_type)
        with self.store.transaction():
            self.store.add_stream(
                arn, table.arn, table.table_id, view_type, label, int(now * 1000),
                table.keys.wire(),
            )  # fmt: skip

    def _update_sse(self, table: Table, spec: dict) -> dict | None:
        sse = schema.check_sse(spec, table.region, self.account, _uuid())
        if sse is None and table.sse is None:
            raise invalid("Table is already encrypted by default")
        return sse

    def _update_indexes(self, table: Table, params: dict) -> list[Index]:
        updates = params.get("GlobalSecondaryIndexUpdates")
        if updates is None:
            return []
        if not updates:
            raise ValidationException(NOTHING_TO_UPDATE)
        created: list[Index] = []
        for update in updates:
            actions = [a for a in ("Update", "Create", "Delete") if update.get(a) is not None]
            if not actions:
                raise invalid(
                    "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                    "GlobalSecondaryIndexUpdate.Delete must not be null"
                )
            if len(actions) > 1:
                raise invalid(
                    "Only one global secondary index action is allowed per "
                    "GlobalSecondaryIndexUpdate object"
                )
            action = actions[0]
            if action == "Create":
                created.append(self._create_index(table, update["Create"], params))
            elif action == "Delete":
                self._delete_index(table, update["Delete"]["IndexName"])
            else:
                self._update_index(table, update["Update"])
        return created

    def _create_index(self, table: Table, spec: dict, params: dict) -> Index:
        busy = any(i.status == "CREATING" for i in table.indexes.values())
        if busy:
            raise LimitExceededException(
                "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                "simultaneously per table"
            )
        name = spec["IndexName"]
        if name in table.indexes:
            raise ValidationException("Attempting to create an index which already exists")
        sent = params.get("AttributeDefinitions")
        if sent is None:
            raise invalid(f"AttributeDefinitions is not specified for index: {name}")
        for definition in sent:
            if table.attribute_type(definition["AttributeName"]) is None:
                table.definitions.append(dict(definition))
        defined = [d["AttributeName"] for d in table.definitions]
        index = schema.secondary_index(spec, defined, False, table.billing_mode)
        if sum(not i.local for i in table.indexes.values()) >= schema.MAX_GSIS:
            raise LimitExceededException(
                f"GlobalSecondaryIndex count exceeds the per-table limit of {schema.MAX_GSIS}"
            )
        index.status = "CREATING"
        table.indexes[name] = index
        return index

    def _delete_index(self, table: Table, name: str) -> None:
        index = table.indexes.get(name)
        if index is None:
            raise ResourceNotFoundException(f"Requested resource not found: Index: {name}")
        if index.local:
            raise ValidationException(
                f"Cannot delete an index that is not a GlobalSecondaryIndex: {name}"
            )
        del table.indexes[name]
        self.store.drop_index(table.table_id, name)

    def _update_index(self, table: Table, spec: dict) -> None:
        name = spec["IndexName"]
        index = table.indexes.get(name)
        if index is None:
            raise ResourceNotFoundException(f"Requested resource not found: Index: {name}")
        if index.local:
            raise ValidationException(
                f"Cannot update an index that is not a GlobalSecondaryIndex: {name}"
            )
        given = spec.get("ProvisionedThroughput")
        if table.billing_mode == "PAY_PER_REQUEST" and given:
            raise invalid(
                f"Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: "
                f"{name} when BillingMode is PAY_PER_REQUEST"
            )
        if given:
            index.throughput = schema.check_units(given)

    # --- the GSI backfill ---

    def _start_backfill(self, table: Table, index: Index) -> None:
        thread = threading.Thread(
            target=self._backfill, args=(table.region, table.name, index.name),
            name=f"ddb-backfill-{table.name}-{index.name}", daemon=True,
        )  # fmt: skip
        thread.start()

    def _backfill(self, region: str, name: str, index_name: str) -> None:
        """Index every item already in the table (items written since the index was added are
        indexed by their own writes), then mark the index ACTIVE."""
        table = self.find(region, name)
        if table is None or index_name not in table.indexes:
            return
        index = table.indexes[index_name]
        for hash_, range_, _, _ in self.store.table_rows(table.table_id):
            with self._lock, self.store.transaction():
                current = self.find(region, name)
                if current is None or current.table_id != table.table_id:
                    return
                if index_name not in current.indexes:
                    return
                found = self.store.item(table.table_id, hash_, range_)
                at = index_key(index, current, found[0]) if found is not None else None
                base = (hash_, range_)
                if at is None or self.store.index_row_exists(table.table_id, index_name, at, base):
                    continue
                self.changes.reindex(current, index, Key({}, hash_, range_), None, found[0])
        with self._lock:
            current = self.find(region, name)
            if current is not None and index_name in current.indexes:
                current.indexes[index_name].status = "ACTIVE"
                with self.store.transaction():
                    self._save(current)

    # --- TTL ---

    def update_ttl(self, region: str, name: str, spec: dict) -> dict:
        with self._lock:
            table = self.get(region, name)
            attribute, enabled = spec["AttributeName"], spec["Enabled"]
            if enabled and table.ttl_attribute is not None:
                if table.ttl_attribute != attribute:
                    raise ValidationException(
                        "TimeToLive is active on a different AttributeName: current "
                        f"AttributeName is {table.ttl_attribute}"
                    )
                raise ValidationException("TimeToLive is already enabled")
            if not enabled and table.ttl_attribute is None:
                raise ValidationException("TimeToLive is already disabled")
            table.ttl_attribute = attribute if enabled else None
            with self.store.transaction():
                self._save(table)
                for hash_, range_, item, _ in self.store.table_rows(table.table_id):
                    expires = expiry(table, json.loads(item))
                    self.store.set_expiry(table.table_id, hash_, range_, expires)
        return {"Enabled": enabled, "AttributeName": attribute}

    def describe_ttl(self, region: str, name: str) -> dict:
        table = self.get(region, name)
        if table.ttl_attribute is None:
            return {"TimeToLiveStatus": "DISABLED"}
        return {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl_attribute}

    # --- tags ---

    def by_arn(self, arn: str) -> Table:
        found = next((t for t in self._tables.values() if t.arn == arn), None)
        if found is None:
            raise ResourceNotFoundException(
                f"Requested resource not found: ResourcArn: {arn} not found"
            )
        return found

    def tag(self, arn: str, tags: list[dict]) -> None:
        with self._lock:
            table = self.by_arn(arn)
            merged = {**table.tags, **_tags(tags)}
            if len(merged) > 50:
                raise ValidationException(
                    "Number of Tags exceed the current limit for the provided ResourceArn"
                )
            table.tags = merged
            with self.store.transaction():
                self._save(table)

    def untag(self, arn: str, keys: list[str]) -> None:
        with self._lock:
            table = self.by_arn(arn)
            table.tags = {k: v for k, v in table.tags.items() if k not in keys}
            with self.store.transaction():
                self._save(table)


def _tags(tags: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in tags:
        key = tag["Key"]
        if key.startswith("aws:"):
            raise ValidationException(f"Tag Key cannot be prefixed with aws:, Key: {key}")
        if key in found:
            raise ValidationException(
                f"Duplicate Tag Keys provided as input: Duplicate Tag Key found {key}"
            )
        found[key] = tag["Value"]
    if len(found) > 50:
        raise ValidationException(
            "Number of Tags exceed the current limit for the provided ResourceArn"
        )
    return found


def _same_throughput(current: dict, asked: dict) -> str:
    return (
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: "
        f"{current['ReadCapacityUnits']}. Requested ReadCapacityUnits: "
        f"{asked['ReadCapacityUnits']}. Current WriteCapacityUnits provisioned for the table: "
        f"{current['WriteCapacityUnits']}. Requested WriteCapacityUnits: "
        f"{asked['WriteCapacityUnits']}. Refer to the Amazon DynamoDB Developer Guide for current "
        "limits and how to request higher limits."
    )


def _uuid() -> str:
    return str(uuid.uuid4())
