"""Lambda's code storage through boto3: the quota GetAccountSettings reports and
CodeStorageExceededException past it (`--code-storage-limit`), and a deleted function's code
removed from disk once nothing refers to it (`--code-grace`)."""

from __future__ import annotations

import base64

import pytest
from api_harness import create, package
from botocore.exceptions import ClientError

from support import error_of, wait_for

CODE = package()


def test_code_storage_quota_and_collection(launch, tmp_path) -> None:
    limit = 2 * len(CODE) + len(CODE) // 2
    server = launch(tmp_path, "--code-storage-limit", str(limit), "--code-grace", "0")
    client = server.client("lambda")
    sha = create(client, "first", CODE)["CodeSha256"]
    client.publish_version(FunctionName="first")
    settings = client.get_account_settings()
    assert settings["AccountLimit"]["TotalCodeSize"] == limit
    assert settings["AccountUsage"]["TotalCodeSize"] == 2 * len(CODE)
    with pytest.raises(ClientError) as caught:
        create(client, "second", CODE)
    assert error_of(caught) == ("CodeStorageExceededException", "Code storage limit exceeded.", 400)
    with pytest.raises(ClientError) as caught:
        client.publish_layer_version(LayerName="lib", Content={"ZipFile": CODE})
    assert error_of(caught)[0] == "CodeStorageExceededException"

    client.delete_function(FunctionName="first")
    assert client.get_account_settings()["AccountUsage"]["TotalCodeSize"] == 0
    stored = tmp_path / "code" / f"{base64.b64decode(sha).hex()}.zip"
    wait_for(lambda: not stored.exists())  # the collector took the deleted function's code
    assert not any((tmp_path / "code").iterdir())
    create(client, "second", CODE)  # stored again, and it runs
    client.get_waiter("function_active_v2").wait(FunctionName="second")
    assert client.invoke(FunctionName="second", Payload=b'{"a": 1}')["Payload"].read() == (
        b'{"a": 1}'
    )
    assert stored.exists()
