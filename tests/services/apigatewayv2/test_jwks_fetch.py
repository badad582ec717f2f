"""An issuer's documents are fetched at the URL checked: a redirect is refused, not followed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from overcast.services.apigatewayv2.http_auth.jwks import KeysUnavailable, _get_json


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
        self.wfile.write(b'{"reached": true}')

    def log_message(self, *args: object) -> None:
        pass


def test_a_redirect_is_not_followed() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        assert _get_json(f"{base}/target") == {"reached": True}
        with pytest.raises(KeysUnavailable):
            _get_json(f"{base}/moved")
    finally:
        server.shutdown()
        server.server_close()
