"""KMS's cryptography through boto3: round trips, EncryptionContext, key states, data keys,
and key material that never reaches the data dir in clear (and survives a restart)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest
from botocore.exceptions import ClientError

from support import start_server


def code(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return caught.value.response["Error"]["Code"]


def test_round_trip_with_and_without_context(kms) -> None:
    key = kms.create_key()["KeyMetadata"]
    plain = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret")
    assert plain["KeyId"] == key["Arn"] and b"secret" not in plain["CiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=plain["CiphertextBlob"])  # the blob names its key
    assert opened["Plaintext"] == b"secret" and opened["KeyId"] == key["Arn"]
    context = {"app": "orders", "stage": "prod"}
    bound = kms.encrypt(KeyId=key["Arn"], Plaintext=b"bound", EncryptionContext=context)
    reordered = {"stage": "prod", "app": "orders"}
    blob = bound["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)["Plaintext"] == b"bound"
    for wrong in (None, {"app": "orders"}, {"app": "orders", "stage": "dev"}):
        with pytest.raises(ClientError) as caught:
            kms.decrypt(CiphertextBlob=blob, **({"EncryptionContext": wrong} if wrong else {}))
        assert code(caught) == "InvalidCiphertextException"
    with pytest.raises(ClientError) as caught:
        kms.decrypt(CiphertextBlob=plain["CiphertextBlob"], EncryptionContext=context)
    assert code(caught) == "InvalidCiphertextException"


def test_tampered_or_foreign_blob(kms) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = bytearray(kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"])
    blob[-1] ^= 1
    for bad in (bytes(blob), b"not a kms blob at all, just some bytes"):
        with pytest.raises(ClientError) as caught:
            kms.decrypt(CiphertextBlob=bad)
        assert code(caught) == "InvalidCiphertextException"


def test_decrypt_with_the_wrong_key_id(kms) -> None:
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=first, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as caught:
        kms.decrypt(CiphertextBlob=blob, KeyId=second)
    assert code(caught) == "IncorrectKeyException"
    assert kms.decrypt(CiphertextBlob=blob, KeyId=first)["Plaintext"] == b"x"


def test_disabled_and_pending_deletion_keys_refuse(kms) -> None:
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key["KeyId"])
    for attempt in (
        lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x"),
        lambda: kms.decrypt(CiphertextBlob=blob),
        lambda: kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256"),
    ):
        with pytest.raises(ClientError) as caught:
            attempt()
        assert code(caught) == "DisabledException"
        assert caught.value.response["Error"]["Message"] == f"{key['Arn']} is disabled."
    kms.enable_key(KeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    with pytest.raises(ClientError) as caught:
        kms.decrypt(CiphertextBlob=blob)
    assert code(caught) == "KMSInvalidStateException"
    assert caught.value.response["Error"]["Message"] == f"{key['Arn']} is pending deletion."


def test_data_keys_and_reencrypt(kms) -> None:
    source = kms.create_key()["KeyMetadata"]
    destination = kms.create_key()["KeyMetadata"]
    data = kms.generate_data_key(KeyId=source["KeyId"], KeySpec="AES_256")
    assert len(data["Plaintext"]) == 32
    opened = kms.decrypt(CiphertextBlob=data["CiphertextBlob"])["Plaintext"]
    assert opened == data["Plaintext"]
    assert len(kms.generate_data_key(KeyId=source["KeyId"], KeySpec="AES_128")["Plaintext"]) == 16
    sized = kms.generate_data_key(KeyId=source["KeyId"], NumberOfBytes=64)
    assert len(sized["Plaintext"]) == 64
    bare = kms.generate_data_key_without_plaintext(KeyId=source["KeyId"], KeySpec="AES_256")
    assert "Plaintext" not in bare
    assert len(kms.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == 32
    with pytest.raises(ClientError) as caught:
        kms.generate_data_key(KeyId=source["KeyId"])
    assert code(caught) == "ValidationException"
    moved = kms.re_encrypt(
        CiphertextBlob=data["CiphertextBlob"],
        DestinationKeyId=destination["KeyId"],
        DestinationEncryptionContext={"k": "v"},
    )
    assert moved["SourceKeyId"] == source["Arn"] and moved["KeyId"] == destination["Arn"]
    opened = kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"k": "v"})
    assert opened["Plaintext"] == data["Plaintext"] and opened["KeyId"] == destination["Arn"]
    assert len(kms.generate_random(NumberOfBytes=48)["Plaintext"]) == 48


def test_managed_key_is_for_its_service_only(kms) -> None:
    """An AWS managed key's policy lets the account use it only through its service
    (kms:ViaService): a direct Encrypt is refused, even the root user's, on the key that
    naming it first made; its metadata stays readable."""
    with pytest.raises(ClientError) as caught:
        kms.encrypt(KeyId="alias/aws/ssm", Plaintext=b"param")
    meta = kms.describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        f"User: arn:aws:iam::000000000000:root is not authorized to perform: kms:Encrypt on "
        f"resource: {meta['Arn']} because no resource-based policy allows the kms:Encrypt action"
    )
    policy = json.loads(kms.get_key_policy(KeyId=meta["KeyId"])["Policy"])
    through = policy["Statement"][0]
    assert through["Principal"] == {"AWS": "*"}
    assert through["Condition"]["StringEquals"] == {
        "kms:CallerAccount": "000000000000",
        "kms:ViaService": "ssm.us-east-1.amazonaws.com",
    }


def test_material_outside_the_data_dir_and_restart(launch, tmp_path) -> None:
    data_dir, key_file = tmp_path / "data", tmp_path / "elsewhere" / "master.key"
    server = launch(data_dir, "--master-key-file", str(key_file))
    kms = server.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    data = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    server.stop()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and key_file.stat().st_size == 32
    master = key_file.read_bytes()
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert data["Plaintext"] not in content and master not in content, path
    with sqlite3.connect(data_dir / "kms.db") as db:
        (sealed,) = db.execute("SELECT material FROM kms_keys WHERE key_id=?", (key_id,)).fetchone()
    assert len(sealed) == 12 + 32 + 16  # nonce, material, tag: never the 32 bytes alone

    again = launch(data_dir, "--master-key-file", str(key_file)).client("kms")
    opened = again.decrypt(CiphertextBlob=data["CiphertextBlob"])["Plaintext"]
    assert opened == data["Plaintext"]


def test_master_key_from_the_environment(tmp_path, monkeypatch) -> None:
    """OVERCAST_MASTER_KEY (base64) wins over the key file, which is then never made; with
    another master key, the stored material cannot be opened."""
    import base64

    monkeypatch.setenv("OVERCAST_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
    key_file = tmp_path / "unused" / "master.key"
    server = start_server(tmp_path / "data", "--master-key-file", str(key_file))
    try:
        kms = server.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    finally:
        server.stop()
    assert not key_file.exists()


def test_decrypt_without_a_blob_is_a_validation_error(kms) -> None:
    """CiphertextBlob is optional in the model (botocore sends a Decrypt without it): found by
    a fuzzer answering 500."""
    with pytest.raises(ClientError) as caught:
        kms.decrypt(KeyId="alias/none")
    assert code(caught) == "ValidationException"
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
        "constraint: Member must not be null"
    )
