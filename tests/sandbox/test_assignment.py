"""What an environment is told at assignment (sandbox/assignment.py): here, the variables that
make its clients trust the server's HTTPS listener."""

from __future__ import annotations

from overcast.function import FunctionVersion
from overcast.sandbox.assignment import Roots, environment_variables, trust_variables

TRUST = trust_variables("/d/trust", "nodejs20.x")


def function(runtime: str = "python3.12", **environment: str) -> FunctionVersion:
    return FunctionVersion(
        name="f",
        version="$LATEST",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
        runtime=runtime,
        handler="app.handler",
        code_sha256="code",
        revision_id="r1",
        environment=environment,
    )


def variables(version: FunctionVersion, trust: str | None) -> dict[str, str]:
    roots = Roots("/var/task", "/opt", trust=trust)
    return environment_variables(version, roots, "s", "http://e", "on-demand")


def test_clients_take_the_bundle_and_node_our_ca_on_first_use() -> None:
    python = variables(function(), "/d/trust")
    node = variables(function("nodejs20.x"), "/d/trust")
    for env in (python, node):
        for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
            assert env[name] == "/d/trust/ca-bundle.pem"
        # Node builds its whole root store at startup when this is set: never by Overcast
        assert "NODE_EXTRA_CA_CERTS" not in env
    assert node["OVERCAST_CA_FILE"] == "/d/trust/ca.pem"  # runtimes/node/trust.mjs
    assert "OVERCAST_CA_FILE" not in python


def test_a_functions_own_setting_wins() -> None:
    env = variables(function(AWS_CA_BUNDLE="/var/task/mine.pem"), "/d/trust")
    assert env["AWS_CA_BUNDLE"] == "/var/task/mine.pem"
    assert env["SSL_CERT_FILE"] == "/d/trust/ca-bundle.pem"


def test_isolated_environments_find_the_files_at_one_path() -> None:
    trusted = Roots.isolated(trust=True)
    assert trusted.trust == "/var/overcast/trust"
    assert Roots.isolated().trust is None


def test_without_an_https_listener_nothing_is_set() -> None:
    env = variables(function(), None)
    assert not set(TRUST) & set(env)
