"""An issuer's documents are fetched at the URL checked: a redirect is refused, not followed,
and the connection goes to the address the check resolved (no second lookup to rebind)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from overcast.services.apigatewayv2.http_auth import jwks
from overcast.services.apigatewayv2.http_auth.jwks import KeysUnavailable, _get_json, resolve


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/target")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"reached": true, "host": "%s"}' % self.headers["host"].encode())

    def log_message(self, *args: object) -> None:
        pass


def test_a_redirect_is_not_followed() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        assert _get_json(resolve(f"{base}/target")) == {"reached": True, "host": base[7:]}
        with pytest.raises(KeysUnavailable, match="HTTP 302"):
            _get_json(resolve(f"{base}/moved"))
    finally:
        server.shutdown()
        server.server_close()


def test_the_connection_goes_to_the_address_the_check_resolved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rebinding name: its first answer is the address checked; any later lookup would
    # answer another (192.0.2.1, TEST-NET-1, where nothing listens).
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    answers = iter(["127.0.0.1"] + ["192.0.2.1"] * 5)

    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list:
        if host != "rebind.test":  # the connection's own look at a numeric address
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(jwks.socket, "getaddrinfo", getaddrinfo)
    try:
        destination = resolve(f"http://rebind.test:{port}/target")
        assert (destination.address, destination.private) == ("127.0.0.1", True)
        found = _get_json(destination)
        assert found == {"reached": True, "host": f"rebind.test:{port}"}  # the name, as sent
        assert next(answers) == "192.0.2.1"  # not one lookup more than the check's
    finally:
        server.shutdown()
        server.server_close()
