"""The ports a function may have the server's Parameters and Secrets listener open: 2773 and
unprivileged ones, at most MAX_EXTRA_PORTS of them (a function names its port)."""

from __future__ import annotations

from overcast.http import parameters_secrets
from overcast.http.parameters_secrets import ParametersSecretsHost


class _Sessions:
    def by_token(self, token):
        return None if token == "nobody" else object()

    def holder(self, token):
        return None if token == "nobody" else 20001


def test_privileged_and_too_many_ports_are_refused() -> None:
    host = ParametersSecretsHost(_Sessions(), "http://127.0.0.1:1", "us-east-1")  # type: ignore[arg-type]
    assert host._refused_port(80) is not None
    assert host._refused_port(parameters_secrets.DEFAULT_PORT) is None
    assert host._refused_port(40000) is None
    host._listeners = {
        p: object() for p in range(50000, 50000 + parameters_secrets.MAX_EXTRA_PORTS)
    }  # type: ignore[assignment]
    assert host._refused_port(40000) is not None
    assert host._refused_port(50000) is None  # one it already listens on
    assert host.register("token", {"port": 80}, 20001)[0] == 400
