"""SqliteStore: what is written is what a new store over the same file loads."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from overcast.services.lambda_.model.alias import Alias
from overcast.services.lambda_.model.code_signing import CodeSigningConfig
from overcast.services.lambda_.model.configuration import (
    Configuration,
    SnapStartApplyOn,
    State,
    UpdateStatus,
    VpcConfig,
)
from overcast.services.lambda_.model.policy import Policy
from overcast.services.lambda_.model.record import FunctionRecord, ProvisionedConfig
from overcast.services.lambda_.store.sqlite import SqliteStore


def config(name: str = "f", version: str = "$LATEST", **changes) -> Configuration:
    base = Configuration(
        name=name,
        version=version,
        runtime="python3.12",
        role="arn:aws:iam::000000000000:role/r",
        handler="app.handler",
        code_sha256="ab" * 32,
        code_size=10,
        revision_id="rev",
        last_modified="2024-01-01T12:00:00.000+0000",
    )
    return replace(base, **changes)


def test_round_trip_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "overcast.db"
    store = SqliteStore(path)
    sealed = {"sealed_environment": "Y2lwaGVy", "kms_key_arn": "arn:aws:kms:us-east-1:0:key/k"}
    latest = config(environment={"A": "1"}, **sealed, architectures=("arm64",), timeout=30)
    store.put_function(FunctionRecord("us-east-1", "f", tags={"team": "a"}, last_version=2))
    store.put_version("us-east-1", latest)
    store.put_version("us-east-1", config(version="2", description="v2"))
    store.put_alias("us-east-1", "f", Alias("prod", "2", "r1", "d", {"1": 0.25}))
    store.close()

    [loaded] = SqliteStore(path).load()
    assert loaded.record == FunctionRecord("us-east-1", "f", {"team": "a"}, 2)
    # The variables are kept only sealed: control/environment_seal.py decrypts them at start.
    assert loaded.latest == replace(latest, environment=None)
    assert loaded.versions == {"2": config(version="2", description="v2")}
    assert loaded.aliases == {"prod": Alias("prod", "2", "r1", "d", {"1": 0.25})}


def test_variables_in_clear_are_never_written(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "overcast.db")
    with pytest.raises(ValueError, match="not sealed"):
        store.put_version("us-east-1", config(environment={"SECRET": "hunter2"}))
    store.close()
    assert b"hunter2" not in (tmp_path / "overcast.db").read_bytes()


def test_old_records_with_variables_in_clear_still_load(tmp_path: Path) -> None:
    """Databases written before variables were encrypted hold them in the version's JSON."""
    path = tmp_path / "overcast.db"
    store = SqliteStore(path)
    store.put_function(FunctionRecord("us-east-1", "f"))
    record = config().to_record() | {"environment": {"A": "1"}}
    store._write(
        "INSERT INTO versions VALUES (?, ?, ?, ?)",
        ("us-east-1", "f", "$LATEST", json.dumps(record)),
    )
    store.close()
    [loaded] = SqliteStore(path).load()
    assert loaded.latest.environment == {"A": "1"}
    assert loaded.latest.sealed_environment is None


def test_wal_mode(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "overcast.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_functions_are_keyed_by_region_and_name() -> None:
    store = SqliteStore(":memory:")
    for region in ("us-east-1", "eu-west-1"):
        store.put_function(FunctionRecord(region, "f"))
        store.put_version(region, config(description=region))
    loaded = {f.record.region: f.latest.description for f in store.load()}
    assert loaded == {"us-east-1": "us-east-1", "eu-west-1": "eu-west-1"}


def test_delete_function_removes_versions_and_aliases() -> None:
    store = SqliteStore(":memory:")
    store.put_function(FunctionRecord("us-east-1", "f"))
    store.put_version("us-east-1", config())
    store.put_version("us-east-1", config(version="1"))
    store.put_alias("us-east-1", "f", Alias("a", "1", "r"))
    store.delete_function("us-east-1", "f")
    assert store.load() == []
    assert store._db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 0
    assert store._db.execute("SELECT COUNT(*) FROM aliases").fetchone()[0] == 0


def test_delete_version_and_alias() -> None:
    store = SqliteStore(":memory:")
    store.put_function(FunctionRecord("us-east-1", "f"))
    store.put_version("us-east-1", config())
    store.put_version("us-east-1", config(version="1"))
    store.put_alias("us-east-1", "f", Alias("a", "1", "r"))
    store.delete_alias("us-east-1", "f", "a")
    store.delete_version("us-east-1", "f", "1")
    [loaded] = store.load()
    assert loaded.versions == {} and loaded.aliases == {}


def test_transaction_rolls_back_every_write() -> None:
    store = SqliteStore(":memory:")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put_function(FunctionRecord("us-east-1", "f"))
            store.put_version("us-east-1", config())
            raise RuntimeError("boom")
    assert store.load() == []


def test_states_and_statuses_round_trip() -> None:
    store = SqliteStore(":memory:")
    store.put_function(FunctionRecord("us-east-1", "f"))
    stored = config(state=State.INACTIVE, last_update_status=UpdateStatus.FAILED)
    store.put_version("us-east-1", stored)
    assert store.load()[0].latest == stored


def test_concurrency_snap_start_and_vpc_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "overcast.db"
    store = SqliteStore(path)
    record = FunctionRecord(
        "us-east-1",
        "f",
        reserved_concurrency=0,
        provisioned={"1": ProvisionedConfig(3, "2024-01-01T12:00:00+0000")},
    )
    vpc = VpcConfig(("subnet-1", "subnet-2"), ("sg-1",), ipv6_allowed_for_dual_stack=False)
    latest = config(snap_start=SnapStartApplyOn.PUBLISHED_VERSIONS, vpc=vpc)
    store.put_function(record)
    store.put_version("us-east-1", latest)
    store.close()
    [loaded] = SqliteStore(path).load()
    assert loaded.record == record and loaded.latest == latest


def test_documents_written_before_concurrency_still_load() -> None:
    assert FunctionRecord.from_record("r", "f", {"tags": {}, "last_version": 1}) == (
        FunctionRecord("r", "f", last_version=1)
    )
    old = config().to_record()
    del old["snap_start"], old["vpc"]
    assert Configuration.from_record(old) == config()


def test_policies_and_code_signing_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "overcast.db"
    store = SqliteStore(path)
    policy = Policy(({"Sid": "s3", "Effect": "Allow"},), "rev-1")
    csc = CodeSigningConfig(
        config_id="csc-0123456789abcdef0",
        region="us-east-1",
        account_id="000000000000",
        signing_profile_version_arns=("arn:aws:signer:us-east-1:000000000000:/signing-profiles/p",),
        untrusted_artifact_on_deployment="Enforce",
        last_modified="2024-01-01T12:00:00.000+0000",
        description="d",
        tags={"team": "a"},
    )
    record = FunctionRecord(
        "us-east-1", "f", policies={"$LATEST": policy}, code_signing_config_arn=csc.arn
    )
    store.put_function(record)
    store.put_version("us-east-1", config())
    store.put_code_signing_config(csc)
    store.close()

    reopened = SqliteStore(path)
    [loaded] = reopened.load()
    assert loaded.record == record
    assert reopened.load_code_signing_configs() == [csc]
    reopened.delete_code_signing_config(csc.arn)
    assert reopened.load_code_signing_configs() == []
