"""What every client command shares: where the server is, boto3 clients for it, output streams.

boto3 is imported only when a command first needs a client, so `overcast --help` and
`overcast server` start without paying for it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

DEFAULT_ENDPOINT = "http://127.0.0.1:9000"
DEFAULT_REGION = "us-east-1"
# Long enough for the longest synchronous invocation Lambda allows (900 s), plus start-up.
READ_TIMEOUT_S = 960


class ClientFactory(Protocol):
    """Builds a client for one AWS service (`lambda`, `logs`); tests pass a stub."""

    def __call__(self, service: str, endpoint_url: str, region: str) -> Any: ...


def resolve_endpoint(given: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """`--endpoint-url`, else OVERCAST_ENDPOINT, else AWS_ENDPOINT_URL, else the default."""
    for candidate in (given, environ.get("OVERCAST_ENDPOINT"), environ.get("AWS_ENDPOINT_URL")):
        if candidate:
            return candidate.rstrip("/")
    return DEFAULT_ENDPOINT


def resolve_region(given: str | None, environ: Mapping[str, str] = os.environ) -> str:
    for candidate in (given, environ.get("AWS_REGION"), environ.get("AWS_DEFAULT_REGION")):
        if candidate:
            return candidate
    return DEFAULT_REGION


def boto3_client(service: str, endpoint_url: str, region: str) -> Any:
    """A boto3 client for Overcast: fails fast (no retries), signs as `signing_credentials` says."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": 1},
        connect_timeout=5,
        read_timeout=READ_TIMEOUT_S,
    )
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        config=config,
        **signing_credentials(),
    )


def signing_credentials(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """boto3's keyword arguments for the key the CLI signs with; {} leaves it to botocore's chain.

    AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE) are taken to be meant
    for Overcast only where the environment also points AWS tools away from AWS
    (AWS_ENDPOINT_URL, as `eval "$(overcast env)"` sets). Without it they are most likely a real
    AWS account's, which Overcast refuses (InvalidClientTokenId), so the local data dir's root
    key (OVERCAST_DATA_DIR, else ~/.overcast) comes first. Without either (a server elsewhere
    with --auth off) any key does; giving one also skips botocore's chain, whose
    instance-metadata probe costs a second off EC2.
    """
    from_environment = bool(environ.get("AWS_ACCESS_KEY_ID") or environ.get("AWS_PROFILE"))
    if from_environment and environ.get("AWS_ENDPOINT_URL"):
        return {}
    key = local_root_key(environ)
    if key is not None:
        return {"aws_access_key_id": key[0], "aws_secret_access_key": key[1]}
    if from_environment:
        return {}
    return {"aws_access_key_id": "overcast", "aws_secret_access_key": "overcast"}


def local_root_key(environ: Mapping[str, str] = os.environ) -> tuple[str, str] | None:
    """(access key id, secret) of the local data dir's root key, if there is one we may read."""
    from overcast.aws.root_key import read_root_key
    from overcast.config import data_dir_of

    try:
        return read_root_key(data_dir_of(None, environ))
    except PermissionError:  # another user's server: its key is not ours to sign with
        return None


@dataclass
class CliContext:
    """Everything a command touches outside its arguments, injected so tests can stub it."""

    endpoint: str
    region: str
    out: TextIO
    err: TextIO
    client_factory: ClientFactory = boto3_client
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.client_factory(service, self.endpoint, self.region)
        return self._clients[service]


def error_code(error: BaseException) -> str | None:
    """The AWS error name of a botocore ClientError (duck-typed: botocore may not be loaded)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None
