"""A package cannot write outside the code store, through any API that takes one (boto3)."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import pytest
from api_harness import create
from botocore.exceptions import ClientError

from support import error_of

UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."


def escaping_zip(victim: str) -> bytes:
    """The reported escape: a chain of links, each harmless alone, then a file through them.

    Extraction happens in `<data>/code/.extract-XXXX/`: `a/b/c/link` is that folder and
    `a/b/c/esc` is three levels above it, the data dir's parent.
    """
    buffer = io.BytesIO()
    entries = [
        ("app.py", b"def handler(event, context):\n    return 1\n", 0o100644),
        ("a/b/c/link", b"../../..", 0o120777),
        ("a/b/c/esc", b"link/../../..", 0o120777),
        (f"a/b/c/esc/{victim}/PWNED.txt", b"pwned", 0o100644),
    ]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, content)
    return buffer.getvalue()


@pytest.fixture
def victim(server) -> Path:
    folder = Path(server.data_dir).parent / f"victim-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    return folder


def assert_unzip_failed(caught) -> None:
    assert error_of(caught) == ("InvalidParameterValueException", UNZIP_FAILED, 400)


def test_create_function_refuses_the_chained_escape(lambda_client, function_name, victim):
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, escaping_zip(victim.name))
    assert_unzip_failed(caught)
    assert not (victim / "PWNED.txt").exists()


def test_update_function_code_refuses_the_chained_escape(lambda_client, function_name, victim):
    create(lambda_client, function_name)
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_code(
            FunctionName=function_name, ZipFile=escaping_zip(victim.name)
        )
    assert_unzip_failed(caught)
    assert not (victim / "PWNED.txt").exists()


def test_publish_layer_version_refuses_the_chained_escape(lambda_client, function_name, victim):
    with pytest.raises(ClientError) as caught:
        lambda_client.publish_layer_version(
            LayerName=function_name, Content={"ZipFile": escaping_zip(victim.name)}
        )
    assert_unzip_failed(caught)
    assert not (victim / "PWNED.txt").exists()
