"""Function URLs: a function's (or an alias's) own HTTP endpoint, and how a request finds it.

Each config has a url id of 32 lowercase letters and digits, drawn at random once and kept.
Overcast serves a URL two ways:

- path form, returned as `FunctionUrl`: `{endpoint}/lambda-url/{url_id}/`, where endpoint is
  the server's address as the client reached it;
- Lambda's host form: a request whose Host is `{url_id}.lambda-url.{region}.on.aws`, as on
  Lambda (what a client that keeps Lambda's URLs, with a resolver pointed here, sends).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

URL_ID_LENGTH = 32
URL_ID_ALPHABET = string.ascii_lowercase + string.digits
URL_PATH_PREFIX = "lambda-url"
HOST_SUFFIX = "on.aws"

AUTH_TYPES = ("NONE", "AWS_IAM")
INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")
DEFAULT_INVOKE_MODE = "BUFFERED"

_URL_ID = re.compile(rf"[a-z0-9]{{{URL_ID_LENGTH}}}")
_HOST = re.compile(
    rf"^(?P<url_id>[a-z0-9]{{{URL_ID_LENGTH}}})\.lambda-url\.(?P<region>[a-z0-9-]+)\.on\.aws(?::\d+)?$"
)


@dataclass(frozen=True)
class UrlRoute:
    """What serving one URL request needs: the function to invoke and the URL's settings.

    `qualifier` is None for the unqualified function ($LATEST), else an alias name. `cors`
    is Lambda's Cors shape as configured (`{"AllowOrigins": [...], "MaxAge": 300, ...}`,
    only the keys given), or None when the URL has no CORS settings.
    """

    url_id: str
    region: str
    function_name: str
    qualifier: str | None
    auth_type: str  # NONE | AWS_IAM
    cors: dict | None
    invoke_mode: str | None  # BUFFERED | RESPONSE_STREAM; None: never set (BUFFERED)


@dataclass(frozen=True)
class UrlConfig:
    """One function URL config as stored: its route and its timestamps (ISO 8601, UTC)."""

    route: UrlRoute
    creation_time: str
    last_modified_time: str

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.route.region, self.route.function_name, self.route.qualifier)

    def to_record(self) -> dict:
        r = self.route
        return {
            "url_id": r.url_id,
            "auth_type": r.auth_type,
            "cors": r.cors,
            "invoke_mode": r.invoke_mode,
            "creation_time": self.creation_time,
            "last_modified_time": self.last_modified_time,
        }

    @classmethod
    def from_record(
        cls, region: str, function_name: str, qualifier: str | None, record: dict
    ) -> UrlConfig:
        route = UrlRoute(
            url_id=record["url_id"],
            region=region,
            function_name=function_name,
            qualifier=qualifier,
            auth_type=record["auth_type"],
            cors=record.get("cors"),
            invoke_mode=record.get("invoke_mode"),
        )
        return cls(route, record["creation_time"], record["last_modified_time"])


def new_url_id() -> str:
    """A fresh url id: 32 random lowercase letters and digits, like Lambda's."""
    return "".join(secrets.choice(URL_ID_ALPHABET) for _ in range(URL_ID_LENGTH))


def is_url_id(text: str) -> bool:
    return _URL_ID.fullmatch(text) is not None


def function_url(base_url: str, url_id: str) -> str:
    """The URL returned as FunctionUrl: `function_url("http://h:9000/", id)` ->
    `http://h:9000/lambda-url/{id}/` (Lambda's URLs end with a slash too)."""
    return f"{base_url.rstrip('/')}/{URL_PATH_PREFIX}/{url_id}/"


def url_host(url_id: str, region: str) -> str:
    """Lambda's host for a URL: `{url_id}.lambda-url.{region}.on.aws`."""
    return f"{url_id}.{URL_PATH_PREFIX}.{region}.{HOST_SUFFIX}"


def parse_url_host(host: str) -> tuple[str, str] | None:
    """(url_id, region) of a Host header in Lambda's form (a port is allowed), else None."""
    found = _HOST.match(host.lower())
    return (found["url_id"], found["region"]) if found else None
