"""Layers: PublishLayerVersion, Get/List/DeleteLayerVersion, ListLayers, layer version policies,
and what a function's `Layers` setting is checked against.

Layer content lives in the code store like function code. A function holds a `LayerRef` per
layer (ARN, size, content address), so deleting a layer version leaves the functions that use
it running, as on Lambda; only new references to it are refused.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from overcast.aws.arn import Arn
from overcast.aws.clock import Clock, lambda_timestamp, new_revision_id
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import page
from overcast.services.lambda_.control.aws_layers import (
    is_parameters_and_secrets,
    parameters_and_secrets_zip,
)
from overcast.services.lambda_.control.versions import check_revision
from overcast.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from overcast.services.lambda_.model.layer import (
    LayerName,
    LayerRecord,
    LayerRef,
    LayerVersion,
    layer_arn,
    parse_layer_name,
    parse_layer_version_arn,
)
from overcast.services.lambda_.store.base import Store
from overcast.store.code import CodeStore

MAX_LAYERS = 5  # Lambda's quota: layers per function
PAGE_LIMIT = 50
NOT_FOUND = "The resource you requested does not exist."


@dataclass(frozen=True)
class LayerSummary:
    """A ListLayers item: the layer and its latest version that matches the filters."""

    name: str
    arn: str
    latest: LayerVersion


@dataclass(frozen=True)
class Permission:
    statement: dict
    revision_id: str


# Called with (region, bytes about to be stored): raises when that would pass the quota.
Quota = Callable[[str, int], None]


class LayerService:
    def __init__(
        self,
        store: Store,
        code_store: CodeStore,
        account_id: str,
        clock: Clock,
        quota: Quota = lambda region, adding: None,
    ) -> None:
        self.store = store
        self.code_store = code_store
        self.account_id = account_id
        self.clock = clock
        self.quota = quota  # raises CodeStorageExceededException past the code storage limit
        self.lock = threading.RLock()
        self._layers: dict[tuple[str, str], LayerRecord] = {}
        self.uploading = 0  # publishes between storing their code and recording the version

    def load(self) -> None:
        with self.lock:
            for record in self.store.load_layers():
                self._layers[(record.region, record.name)] = record

    # --- layer versions ------------------------------------------------------------------

    def publish(
        self,
        region: str,
        layer_name: str,
        zip_bytes: bytes,
        *,
        description: str = "",
        compatible_runtimes: Sequence[str] = (),
        compatible_architectures: Sequence[str] = (),
        license_info: str | None = None,
        direct: bool = True,
    ) -> LayerVersion:
        """`direct`: the archive came in the request (ZipFile), not from S3 (CodeStore.put)."""
        named = self._name(region, layer_name)
        with self._uploading():
            # Outside the lock: may take a while.
            info = self.code_store.put(zip_bytes, direct=direct)
            with self.lock:
                self.quota(named.region, info.size)
                key = (named.region, named.name)
                record = self._layers.get(key) or LayerRecord(named.region, named.name)
                number = record.last_version + 1
                layer = LayerVersion(
                    region=named.region,
                    name=named.name,
                    version=number,
                    code_sha256=info.sha256_hex,
                    code_size=info.size,
                    unzipped_size=info.unzipped_size,
                    created_date=lambda_timestamp(self.clock()),
                    description=description,
                    compatible_runtimes=tuple(compatible_runtimes),
                    compatible_architectures=tuple(compatible_architectures),
                    license_info=license_info,
                )
                with self.store.transaction():
                    self.store.put_layer(named.region, named.name, number)
                    self.store.put_layer_version(layer)
                record.last_version = number
                record.versions[number] = layer
                self._layers[key] = record
        return layer

    @contextmanager
    def _uploading(self) -> Iterator[None]:
        """A publish between storing its code and recording its version: while any is, the
        code collector leaves the code folder alone (see code_census.py)."""
        with self.lock:
            self.uploading += 1
        try:
            yield
        finally:
            with self.lock:
                self.uploading -= 1

    def code_in_use(self) -> set[str]:
        """The package digests (hex) of every layer version kept, in every region."""
        return {
            layer.code_sha256
            for record in list(self._layers.values())
            for layer in list(record.versions.values())
        }

    def get(self, region: str, layer_name: str, version: int) -> LayerVersion:
        named = self._name(region, layer_name)
        record = self._layers.get((named.region, named.name))
        layer = record.versions.get(version) if record is not None else None
        if layer is None:
            raise ResourceNotFoundException(NOT_FOUND)
        return layer

    def get_by_arn(self, arn: str) -> LayerVersion:
        named = parse_layer_version_arn(arn)
        if named is None or named.account_id != self.account_id or named.version is None:
            raise ResourceNotFoundException(NOT_FOUND)
        return self.get(str(named.region), named.name, named.version)

    def delete(self, region: str, layer_name: str, version: int) -> None:
        """As on Lambda, deleting a version that is not there succeeds."""
        named = self._name(region, layer_name)
        with self.lock:
            record = self._layers.get((named.region, named.name))
            if record is None or version not in record.versions:
                return
            self.store.delete_layer_version(named.region, named.name, version)
            del record.versions[version]

    def stored_bytes(self, region: str) -> int:
        """The zipped size of every layer version kept in `region` (Lambda's code storage)."""
        return sum(
            layer.code_size
            for (layer_region, _), record in list(self._layers.items())
            if layer_region == region
            for layer in list(record.versions.values())
        )

    def list_layers(
        self,
        region: str,
        *,
        runtime: str | None = None,
        architecture: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[LayerSummary], str | None]:
        summaries = []
        for (layer_region, name), record in sorted(self._layers.items()):
            if layer_region != region:
                continue
            matching = _matching(record, runtime, architecture)
            if matching:
                latest = matching[0]
                summaries.append(
                    LayerSummary(name, layer_arn(region, self.account_id, name), latest)
                )
        return page(summaries, lambda s: [s.name], marker, max_items, PAGE_LIMIT)

    def list_versions(
        self,
        region: str,
        layer_name: str,
        *,
        runtime: str | None = None,
        architecture: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> tuple[list[LayerVersion], str | None]:
        """Newest first, as Lambda lists them; an unknown layer has no versions."""
        named = self._name(region, layer_name)
        record = self._layers.get((named.region, named.name))
        versions = _matching(record, runtime, architecture) if record is not None else []
        return page(versions, lambda v: [-v.version], marker, max_items, PAGE_LIMIT)

    # --- policies ------------------------------------------------------------------------

    def add_permission(
        self,
        region: str,
        layer_name: str,
        version: int,
        *,
        statement_id: str,
        action: str,
        principal: str,
        organization_id: str | None = None,
        revision_id: str | None = None,
    ) -> Permission:
        with self.lock:
            layer = self.get(region, layer_name, version)
            check_revision(revision_id, layer.policy_revision_id or "")
            if any(s["Sid"] == statement_id for s in layer.statements):
                raise ResourceConflictException(
                    f"The statement id ({statement_id}) provided already exists. Please provide "
                    "a new statement id, or remove the existing statement."
                )
            statement = _statement(
                statement_id, action, principal, organization_id, layer.arn(self.account_id)
            )
            layer = self._save_policy(layer, (*layer.statements, statement))
            return Permission(statement, str(layer.policy_revision_id))

    def get_policy(self, region: str, layer_name: str, version: int) -> Permission:
        """The policy document (`Version`, `Id`, `Statement`) and its RevisionId."""
        layer = self.get(region, layer_name, version)
        if not layer.statements:
            raise ResourceNotFoundException("No policy is associated with the given resource.")
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": list(layer.statements)}
        return Permission(policy, str(layer.policy_revision_id))

    def remove_permission(
        self,
        region: str,
        layer_name: str,
        version: int,
        statement_id: str,
        revision_id: str | None = None,
    ) -> None:
        with self.lock:
            layer = self.get(region, layer_name, version)
            check_revision(revision_id, layer.policy_revision_id or "")
            kept = tuple(s for s in layer.statements if s["Sid"] != statement_id)
            if len(kept) == len(layer.statements):
                raise ResourceNotFoundException(
                    f"Statement {statement_id} is not found in resource policy."
                )
            self._save_policy(layer, kept)

    def _save_policy(self, layer: LayerVersion, statements: tuple[dict, ...]) -> LayerVersion:
        layer = replace(layer, statements=statements, policy_revision_id=new_revision_id())
        self.store.put_layer_version(layer)
        self._layers[(layer.region, layer.name)].versions[layer.version] = layer
        return layer

    # --- functions' Layers ---------------------------------------------------------------

    def resolve(self, region: str, arns: Sequence[str]) -> tuple[LayerRef, ...]:
        """A function's Layers parameter, checked as Lambda checks it, as LayerRefs in order."""
        if len(arns) > MAX_LAYERS:
            raise InvalidParameterValueException(f"Cannot reference more than {MAX_LAYERS} layers.")
        refs: list[LayerRef] = []
        seen: dict[tuple[str | None, str], str] = {}
        for arn in arns:
            named = parse_layer_version_arn(arn)
            ref = self._reference(named, arn)
            if named is None or ref is None:
                raise InvalidParameterValueException(f"Layer version {arn} does not exist.")
            earlier = seen.get((named.region, named.name))
            if earlier is not None:
                raise InvalidParameterValueException(
                    "Two different versions of the same layer are not allowed to be referenced "
                    f"in the same function. {earlier} and {arn} are versions of the same layer."
                )
            seen[(named.region, named.name)] = arn
            refs.append(ref)
        return tuple(refs)

    def _reference(self, named: LayerName | None, arn: str) -> LayerRef | None:
        if is_parameters_and_secrets(named):
            return self._parameters_and_secrets(arn)
        layer = self._find(named)
        if layer is None:
            return None
        return LayerRef(arn, layer.code_size, layer.code_sha256, layer.unzipped_size)

    def _parameters_and_secrets(self, arn: str) -> LayerRef:
        """AWS's Parameters and Secrets extension, as Overcast's own layer (aws_layers.py)."""
        with self._uploading():
            info = self.code_store.put(parameters_and_secrets_zip())
        return LayerRef(arn, info.size, info.sha256_hex, info.unzipped_size)

    def _find(self, named: LayerName | None) -> LayerVersion | None:
        if named is None or named.account_id != self.account_id or named.version is None:
            return None
        record = self._layers.get((str(named.region), named.name))
        return record.versions.get(named.version) if record is not None else None

    def check_size(self, function_unzipped: int, layers: Sequence[LayerRef]) -> None:
        """Lambda's 250 MB unzipped quota counts the function's code and all its layers."""
        if not layers:
            return
        limit = self.code_store.max_unzipped
        total = function_unzipped + sum(layer.unzipped_size for layer in layers)
        if total > limit:
            raise InvalidParameterValueException(
                "Function code combined with layers exceeds the maximum allowed size of "
                f"{limit} bytes. The actual size is {total} bytes."
            )

    def opt_dir(self, layers: Sequence[LayerRef]) -> str | None:
        """The folder of these layers merged in order, made if missing (None: no layers)."""
        if not layers:
            return None
        return str(self.code_store.merge([layer.code_sha256 for layer in layers]))

    def _name(self, region: str, layer_name: str) -> LayerName:
        named = parse_layer_name(layer_name)
        if named is None or (named.account_id and named.account_id != self.account_id):
            raise ResourceNotFoundException(NOT_FOUND)
        return LayerName(named.name, named.region or region, self.account_id)


def _matching(
    record: LayerRecord, runtime: str | None, architecture: str | None
) -> list[LayerVersion]:
    """The record's versions, newest first, that list `runtime` and `architecture`."""
    return [
        layer
        for _, layer in sorted(record.versions.items(), reverse=True)
        if (runtime is None or runtime in layer.compatible_runtimes)
        and (architecture is None or architecture in layer.compatible_architectures)
    ]


def _statement(
    sid: str, action: str, principal: str, organization_id: str | None, resource: str
) -> dict:
    """One statement as Lambda writes it: an account id becomes its root ARN."""
    who: str | dict = principal
    if principal.isdigit():  # in the layer's partition: arn:aws-cn:iam::... in China
        root = Arn(Arn.parse(resource).partition, "iam", "", principal, "root")
        who = {"AWS": str(root)}
    elif principal != "*":
        who = {"AWS": principal}
    statement: dict = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": who,
        "Action": action,
        "Resource": resource,
    }
    if organization_id:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}
    return statement


def policy_json(document: dict) -> str:
    """A statement or policy as the string Lambda returns (compact JSON)."""
    return json.dumps(document, separators=(",", ":"))
