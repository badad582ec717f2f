"""Header names as the client sent them: of WebSocket handshakes, and of the requests front
doors answer (REST APIs' events keep them).

API Gateway hands a WebSocket API's `$connect` event (and its Lambda authorizer) the
handshake's headers under the client's own names (`Host`, `Sec-WebSocket-Key`,
`HeaderAuth1`: WebSocket API guide, "Lambda REQUEST authorizers"). uvicorn's httptools
protocol lower-cases every name as it parses, and hands an upgrade to the WebSocket protocol
by writing the head out again from those lower-cased names; the WebSocket protocol
(websockets' sans-I/O parser) keeps whatever names it is given. So the names are recorded as
parsed and put back for an upgrade, and the app (http/app.py) keeps them apart for the
WebSocket door while the ASGI scope's `headers` stay lower-cased, as ASGI has them.

An ordinary request's names as parsed are kept too, by reference (no copy, nothing decoded
until an event asks): as the fast path's `_names_as_sent`, and in the ASGI scope under
NAMES_AS_SENT, one for one with the scope's `headers`. API Gateway hands a REST API's Lambda
proxy and REQUEST authorizer events the client's names (`Accept`, `CloudFront-Is-...`:
REST API guide, "Input format of a Lambda function for proxy integration"); HTTP APIs
lower-case every name, in both payload formats ("All header names are lowercase", HTTP API
guide, "Payload format structure").
"""

from __future__ import annotations

HEADERS_AS_SENT = "overcast.headers_as_sent"  # the websocket scope's key for them
NAMES_AS_SENT = "overcast.header_names_as_sent"  # an http scope's names as parsed


class UpgradeHeaderCase:
    """Mixed in ahead of uvicorn's HttpToolsProtocol (fast_http.protocol_for does)."""

    _names_as_sent: list[bytes]

    def on_message_begin(self) -> None:
        self._names_as_sent = []
        super().on_message_begin()  # type: ignore[misc]
        self.scope[NAMES_AS_SENT] = self._names_as_sent  # type: ignore[attr-defined]

    def on_header(self, name: bytes, value: bytes) -> None:
        self._names_as_sent.append(name)
        super().on_header(name, value)  # type: ignore[misc]

    def handle_websocket_upgrade(self) -> None:
        scope = self.scope  # type: ignore[attr-defined]
        names, headers = self._names_as_sent, scope["headers"]
        if len(names) == len(headers):  # one for one, as on_header made them
            pairs = zip(names, headers, strict=True)
            scope["headers"] = [(name, value) for name, (_, value) in pairs]
        super().handle_websocket_upgrade()  # type: ignore[misc]


def keep_headers_as_sent(scope: dict) -> None:
    """A websocket scope's headers as sent go under HEADERS_AS_SENT; `headers` gets them
    lower-cased, as ASGI and everything reading it expect."""
    sent = scope["headers"]
    scope[HEADERS_AS_SENT] = sent
    scope["headers"] = [(name.lower(), value) for name, value in sent]


def headers_as_sent(scope: dict) -> list[tuple[bytes, bytes]]:
    return scope.get(HEADERS_AS_SENT) or scope["headers"]
