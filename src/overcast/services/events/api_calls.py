"""Calling an API destination for a rule's target, as EventBridge calls it.

The request (EventBridge's user guide, "API destinations"):
- the destination's method and endpoint, each `*` in the endpoint's path replaced by the
  target's `HttpParameters.PathParameterValues` in turn;
- query string and headers from the target's `HttpParameters` and the connection's
  `InvocationHttpParameters` (a target's value may be a JSON path into the event,
  `$.detail.id`); the connection's body parameters join a JSON object body;
- the connection's authorization, and the headers EventBridge always sends: `User-Agent:
  Amazon/EventBridge/ApiDestinations`, `Content-Type: application/json; charset=utf-8`,
  `Range: bytes=0-1048575`, `Accept-Encoding: gzip,deflate`, `Connection: close`;
- the target's input (the event, or what Input/InputPath/InputTransformer make of it).

The answer: 2xx delivers; 429, 5xx and a call that does not answer within 5 seconds are
retried by the target's retry policy; any other status fails at once (to the dead-letter
queue), redirects included; an OAuth token is exchanged again once after 401 or 407. Calls
run on a small pool of threads, never on the caller's.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit, urlunsplit

from overcast.aws import json_document
from overcast.services.events.api_destinations import ApiDestinationService
from overcast.services.events.connections import (
    AUTHORIZED,
    OAUTH,
    Connection,
    ConnectionService,
)
from overcast.services.events.delivery import Attempt, TargetFailed
from overcast.services.events.json_path import MISSING, InvalidJsonPath, JsonPath

log = logging.getLogger(__name__)

TIMEOUT_S = 5.0
ALWAYS = {
    "User-Agent": "Amazon/EventBridge/ApiDestinations",
    "Content-Type": "application/json; charset=utf-8",
    "Range": "bytes=0-1048575",
    "Accept-Encoding": "gzip,deflate",
    "Connection": "close",
}
FAILED = "SDK_CLIENT_ERROR"
Done = Callable[[TargetFailed | None], None]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 3xx is the endpoint's answer, not followed


# No proxies from the environment: endpoints are called directly, as EventBridge calls them.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


class ApiCaller:
    def __init__(
        self,
        destinations: ApiDestinationService,
        connections: ConnectionService,
        *,
        workers: int = 4,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.destinations = destinations
        self.connections = connections
        self.timeout_s = timeout_s
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api-destination")

    def call(self, attempt: Attempt, payload: str, done: Done) -> None:
        """Call the target's API destination off this thread; `done` gets the failure, if any."""
        self.pool.submit(self._call, attempt, payload, done)

    def stop(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _call(self, attempt: Attempt, payload: str, done: Done) -> None:
        try:
            self._send(attempt, payload)
        except TargetFailed as failure:
            done(failure)
            return
        except Exception as error:  # a bad target fails alone, with its reason
            log.exception("API destination %s", attempt.target.arn)
            done(TargetFailed(FAILED, f"Unable to invoke ApiDestination endpoint: {error}", False))
            return
        done(None)

    def _send(self, attempt: Attempt, payload: str) -> None:
        region = attempt.rule.region
        destination = self.destinations.by_arn(region, attempt.target.arn)
        if destination is None:
            raise TargetFailed(
                "RESOURCE_NOT_FOUND", f"ApiDestination {attempt.target.arn} does not exist.", False
            )
        connection = self.connections.by_arn(region, destination.connection_arn)
        if connection is None or connection.state != AUTHORIZED:
            raise TargetFailed(
                FAILED,
                "Unable to invoke ApiDestination endpoint: the connection is not authorized.",
                False,
            )
        parameters = attempt.target.spec.get("HttpParameters") or {}
        status = self._open(destination.http_method, destination.endpoint, connection,
                            parameters, attempt.event, payload)  # fmt: skip
        if status in (401, 407) and connection.authorization_type == OAUTH:
            self.connections.token(connection, renew=True)
            status = self._open(destination.http_method, destination.endpoint, connection,
                                parameters, attempt.event, payload)  # fmt: skip
        if 200 <= status < 300:
            return
        raise TargetFailed(
            FAILED,
            "Unable to invoke ApiDestination endpoint: The endpoint responded with HTTP status "
            f"{status}.",
            status == 429 or status >= 500,
        )

    def _open(
        self,
        method: str,
        endpoint: str,
        connection: Connection,
        parameters: dict,
        event: dict,
        payload: str,
    ) -> int:
        """Make the call; the status it answered (a call without an answer is retriable)."""
        url = _url(endpoint, parameters, connection, event)
        headers = {
            **{
                k: _dynamic(v, event) for k, v in (parameters.get("HeaderParameters") or {}).items()
            },
            **_pairs(connection.auth, "HeaderParameters"),
            **self._authorization(connection),
            **ALWAYS,
        }
        body = None if method in ("GET", "HEAD") else _body(payload, connection).encode()
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with _OPENER.open(request, timeout=self.timeout_s) as answer:
                answer.read(1 << 20)
                return answer.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code
        except (OSError, ValueError) as error:  # refused, reset, timed out
            raise TargetFailed(
                FAILED, f"Unable to invoke ApiDestination endpoint: {error}", True
            ) from None

    def _authorization(self, connection: Connection) -> dict[str, str]:
        auth = connection.auth
        if "BasicAuthParameters" in auth:
            basic = auth["BasicAuthParameters"]
            pair = f"{basic['Username']}:{basic['Password']}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        if "ApiKeyAuthParameters" in auth:
            key = auth["ApiKeyAuthParameters"]
            return {key["ApiKeyName"]: key["ApiKeyValue"]}
        if connection.authorization_type == OAUTH:
            return {"Authorization": "Bearer " + self.connections.token(connection)}
        return {}


def fetch_oauth_token(
    connection: Connection, timeout_s: float = TIMEOUT_S
) -> tuple[str, float | None]:
    """The client-credentials grant (RFC 6749, 4.4) at the connection's AuthorizationEndpoint:
    the client's ID and secret as Basic authorization, `grant_type=client_credentials` and
    the OAuthHttpParameters; answers (access_token, expires_in)."""
    oauth = connection.auth["OAuthParameters"]
    client = oauth["ClientParameters"]
    extra = oauth.get("OAuthHttpParameters") or {}
    pair = f"{client['ClientID']}:{client['ClientSecret']}".encode()
    headers = {
        **{p["Key"]: p["Value"] for p in extra.get("HeaderParameters") or []},
        "Authorization": "Basic " + base64.b64encode(pair).decode(),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    form = {"grant_type": "client_credentials"}
    form.update({p["Key"]: p["Value"] for p in extra.get("BodyParameters") or []})
    query = {p["Key"]: p["Value"] for p in extra.get("QueryStringParameters") or []}
    url = _with_query(oauth["AuthorizationEndpoint"], query)
    method = oauth["HttpMethod"]
    data = None if method == "GET" else urlencode(form).encode()
    if data is None:
        url = _with_query(url, form)
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with _OPENER.open(request, timeout=timeout_s) as answer:
        document = json_document.loads(answer.read(1 << 20))
    if not isinstance(document, dict) or not isinstance(document.get("access_token"), str):
        raise ValueError("the authorization endpoint answered without an access_token")
    expires = document.get("expires_in")
    return document["access_token"], float(expires) if isinstance(expires, int | float) else None


def _url(endpoint: str, parameters: dict, connection: Connection, event: dict) -> str:
    parts = urlsplit(endpoint)
    path = parts.path
    for value in parameters.get("PathParameterValues") or []:
        path = path.replace("*", _dynamic(value, event), 1)
    query = {
        k: _dynamic(v, event) for k, v in (parameters.get("QueryStringParameters") or {}).items()
    }
    query.update(_pairs(connection.auth, "QueryStringParameters"))
    return _with_query(urlunsplit(parts._replace(path=path)), query)


def _targets(parameters: dict, kind: str, event: dict) -> dict[str, str]:
    """The target's HttpParameters of one kind, JSON paths resolved."""
    return {key: _dynamic(value, event) for key, value in (parameters.get(kind) or {}).items()}


def _with_query(url: str, query: dict[str, str]) -> str:
    if not query:
        return url
    parts = urlsplit(url)
    joined = "&".join(part for part in (parts.query, urlencode(query)) if part)
    return urlunsplit(parts._replace(query=joined))


def _pairs(auth: dict, kind: str) -> dict[str, str]:
    """The connection's InvocationHttpParameters of one kind, as a mapping."""
    parameters = (auth.get("InvocationHttpParameters") or {}).get(kind) or []
    return {p["Key"]: p["Value"] for p in parameters if "Key" in p and "Value" in p}


def _body(payload: str, connection: Connection) -> str:
    extra = _pairs(connection.auth, "BodyParameters")
    if not extra:
        return payload
    try:
        document = json_document.loads(payload, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        return payload
    if not isinstance(document, dict):
        return payload
    return json.dumps({**document, **extra}, separators=(",", ":"), ensure_ascii=False)


def _dynamic(value: str, event: dict) -> str:
    """A target's HTTP parameter: a JSON path (`$.detail.id`) is the event's value there."""
    if not value.startswith("$."):
        return value
    try:
        found = JsonPath.parse(value).find(event)
    except InvalidJsonPath:
        return value
    if found is MISSING:
        return ""
    return found if isinstance(found, str) else json.dumps(found, separators=(",", ":"))
