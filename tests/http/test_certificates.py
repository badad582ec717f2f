"""The HTTPS listener's certificates (http/certificates.py): a CA made once per data dir, a
server certificate clients verify for the loopback names, and the files environments trust."""

from __future__ import annotations

import asyncio
import ssl
import stat
from pathlib import Path

import pytest

from overcast.http.certificates import LocalCa


def test_the_ca_is_made_once_and_its_key_kept_private(tmp_path: Path) -> None:
    first = LocalCa(tmp_path)
    key_file = tmp_path / "tls" / "ca.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "tls").stat().st_mode) == 0o700
    again = LocalCa(tmp_path)
    assert again.certificate == first.certificate  # loaded, not made anew
    key_file.chmod(0o644)  # a key restored with wider permissions
    LocalCa(tmp_path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_published_files_hold_our_ca_and_the_public_ones(tmp_path: Path) -> None:
    ca = LocalCa(tmp_path)
    trust = ca.publish()
    assert trust.folder == tmp_path / "trust"
    ours = trust.ca_file.read_text()
    assert ours.count("BEGIN CERTIFICATE") == 1
    bundle = trust.bundle_file.read_text()
    assert bundle.endswith(ours)
    assert bundle.count("BEGIN CERTIFICATE") > 10  # the public CAs, which functions still need
    assert "PRIVATE KEY" not in bundle + "".join(p.read_text() for p in trust.folder.iterdir())


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_clients_that_trust_the_bundle_verify_the_server(tmp_path: Path, name: str) -> None:
    ca = LocalCa(tmp_path)
    trust = ca.publish()
    server_context = ca.server_context("127.0.0.1")
    client = ssl.create_default_context(cafile=str(trust.bundle_file))
    assert client.verify_mode == ssl.CERT_REQUIRED and client.check_hostname
    assert asyncio.run(_handshake(server_context, client, name)) == b"hello"


def test_clients_without_the_ca_refuse_the_server(tmp_path: Path) -> None:
    ca = LocalCa(tmp_path)
    client = ssl.create_default_context()
    with pytest.raises(ssl.SSLCertVerificationError):
        asyncio.run(_handshake(ca.server_context("127.0.0.1"), client, "127.0.0.1"))


def test_a_certificate_of_another_data_dir_is_not_trusted(tmp_path: Path) -> None:
    server = LocalCa(tmp_path / "one").server_context("127.0.0.1")
    other = LocalCa(tmp_path / "two").publish()
    client = ssl.create_default_context(cafile=str(other.ca_file))
    with pytest.raises(ssl.SSLCertVerificationError):
        asyncio.run(_handshake(server, client, "127.0.0.1"))


async def _handshake(server_context: ssl.SSLContext, client: ssl.SSLContext, name: str) -> bytes:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, ssl=client, server_hostname=name), 10
        )
        data = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        return data
    finally:
        server.close()


PROBE = """
import os

def handler(event, context):
    def readable(path):
        try:
            with open(path) as file:
                return "certificates" if "BEGIN CERTIFICATE" in file.read() else "other"
        except OSError as exc:
            return type(exc).__name__
    names = ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
    return {
        "trusted": {name: readable(os.environ[name]) for name in names},
        "ca_key": readable(event["ca_key"]),
    }
"""


def test_environments_read_the_trusted_files_but_never_the_cas_key(server) -> None:
    import json
    import uuid

    from support import deploy

    client = server.client("lambda")
    name = f"probe-{uuid.uuid4().hex[:8]}"
    deploy(client, name, PROBE)
    ca_key = str(server.data_dir / "tls" / "ca.key")
    answer = client.invoke(FunctionName=name, Payload=json.dumps({"ca_key": ca_key}).encode())
    seen = json.loads(answer["Payload"].read())
    assert set(seen["trusted"].values()) == {"certificates"}, seen
    assert seen["ca_key"] in ("FileNotFoundError", "PermissionError")


def test_every_api_answers_over_https_and_off_means_no_listener(launch, tmp_path: Path) -> None:
    """The HTTPS listener serves the same app (Lambda's API and its Invoke shortcut too); the
    server says where, and with `--tls-port off` there is none. A second start keeps the CA."""
    import re
    import uuid

    import boto3
    from botocore.config import Config

    from support import deploy

    output = tmp_path / "out.txt"
    server = launch(tmp_path / "data", output=output)
    announced = re.search(r"HTTPS: https://127\.0\.0\.1:(\d+) \(certificate authority: (.+)\)",
                          output.read_text())  # fmt: skip
    assert announced, output.read_text()
    assert Path(announced.group(2)) == tmp_path / "data" / "trust" / "ca.pem"
    ca_before = Path(announced.group(2)).read_bytes()
    client = boto3.client(
        "lambda",
        endpoint_url=f"https://127.0.0.1:{announced.group(1)}",
        region_name="us-east-1",
        verify=announced.group(2),
        config=Config(retries={"max_attempts": 0}),
        **server.credentials,
    )
    name = f"tls-{uuid.uuid4().hex[:8]}"
    deploy(client, name, "def handler(event, context):\n    return event\n")
    answer = client.invoke(FunctionName=name, Payload=b'{"over": "tls"}')
    assert answer["Payload"].read() == b'{"over": "tls"}'
    client.list_functions()  # boto3 keeps this HTTPS connection open, idle, never reading it
    server.stop()
    # SIGTERM ended it (not the SIGKILL stop_server sends 10 s later): closing the idle TLS
    # connection did not wait for a close_notify the client never sends.
    assert server.process.returncode == 0

    output.write_text("")
    launch(tmp_path / "data", "--tls-port", "off", output=output)
    assert "HTTPS:" not in output.read_text()
    assert (tmp_path / "data" / "trust" / "ca.pem").read_bytes() == ca_before
