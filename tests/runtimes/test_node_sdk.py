"""The AWS SDK for JavaScript v3 in Node.js environments, as Lambda's Node.js runtimes include it:
imported unbundled (ESM and CommonJS) with the function's role, region and Overcast's endpoint;
the function's own node_modules and its layers win over it; missing, Node's own error.

The SDK is installed once per lockfile into the shared cache (`overcast node-sdk install`, as
.ci/run does); these tests install it there only where it is missing."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from overcast.runtimes.node_sdk import LOCKFILE, MANIFEST, NodeSdk, NodeSdkError
from support import LAMBDA_ROLE, deploy, make_zip

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="Node.js and npm are not installed",
)

ESM = """
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { SQSClient, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { createRequire } from "node:module";

const sts = new STSClient({});
const sqs = new SQSClient({});
export const handler = async (event) => {
  const who = await sts.send(new GetCallerIdentityCommand({}));
  const queues = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: event.prefix }));
  return {
    arn: who.Arn,
    queues: queues.QueueUrls ?? [],
    region: await sqs.config.region(),
    sdk: createRequire(import.meta.url).resolve("@aws-sdk/client-sts"),
  };
};
"""

CJS = """
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
const client = new STSClient({});
exports.handler = async () => {
  const who = await client.send(new GetCallerIdentityCommand({}));
  return { arn: who.Arn, sdk: require.resolve("@aws-sdk/client-sts") };
};
"""

# A stand-in package: whichever copy of @aws-sdk/client-sts is imported says where it is.
WHICH = """
import { STSClient } from "@aws-sdk/client-sts";
export const handler = async () => STSClient.origin ?? "runtime";
"""


def stand_in(origin: str) -> dict[str, str]:
    return {
        "package.json": json.dumps({"name": "@aws-sdk/client-sts", "main": "index.js"}),
        "index.js": f"exports.STSClient = class {{ static origin = {origin!r}; }};\n",
    }


def session_of(function: str) -> str:
    """The ARN of the function's role session (LAMBDA_ROLE's), as GetCallerIdentity says it."""
    account, role = LAMBDA_ROLE.split(":")[4], LAMBDA_ROLE.rsplit("/", 1)[1]
    return f"arn:aws:sts::{account}:assumed-role/{role}/{function}"


def under(prefix: str, files: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}/{name}": text for name, text in files.items()}


@pytest.fixture(scope="session")
def node_sdk() -> NodeSdk:
    """The pinned SDK in the shared cache; installed here only if .ci/run has not done it."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed")
    sdk = NodeSdk.default()
    sdk.install()
    return sdk


def invoke(client, name: str, event: dict | None = None) -> dict:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


@needs_node
def test_an_esm_function_calls_aws_with_the_runtimes_sdk_and_its_role(
    server, lambda_client, function_name, node_sdk
) -> None:
    queue = server.client("sqs").create_queue(QueueName=f"{function_name}-q")["QueueUrl"]
    deploy(
        lambda_client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": ESM},
    )
    body = invoke(lambda_client, function_name, {"prefix": f"{function_name}-q"})
    # Signed with the function's role session, sent to this Overcast, in the function's region.
    assert body["arn"] == session_of(function_name)
    assert body["queues"] == [queue]
    assert body["region"] == "us-east-1"
    if os.geteuid() == 0:  # isolated: where Lambda keeps it (not isolated: see below)
        assert body["sdk"] == "/var/runtime/node_modules/@aws-sdk/client-sts/dist-cjs/index.js"


@needs_node
def test_a_commonjs_function_on_nodejs24_requires_the_runtimes_sdk(
    lambda_client, function_name, node_sdk
) -> None:
    deploy(
        lambda_client,
        function_name,
        "",
        Runtime="nodejs24.x",
        Handler="index.handler",
        ZipFiles={"index.js": CJS},
    )
    body = invoke(lambda_client, function_name)
    assert body["arn"] == session_of(function_name)
    assert body["sdk"].endswith("node_modules/@aws-sdk/client-sts/dist-cjs/index.js")
    config = lambda_client.get_function_configuration(FunctionName=function_name)
    assert config["Runtime"] == "nodejs24.x"


@needs_node
def test_the_functions_own_node_modules_and_its_layers_win_over_the_runtimes_sdk(
    server, lambda_client, function_name, node_sdk
) -> None:
    own = {"index.mjs": WHICH, **under("node_modules/@aws-sdk/client-sts", stand_in("own"))}
    deploy(
        lambda_client,
        f"{function_name}-own",
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles=own,
    )
    assert invoke(lambda_client, f"{function_name}-own") == "own"
    layer = lambda_client.publish_layer_version(
        LayerName=function_name,
        Content={
            "ZipFile": make_zip(under("nodejs/node_modules/@aws-sdk/client-sts", stand_in("layer")))
        },
    )["LayerVersionArn"]
    deploy(
        lambda_client,
        f"{function_name}-layer",
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": WHICH},
        Layers=[layer],
    )
    assert invoke(lambda_client, f"{function_name}-layer") == "layer"


LAYERED = """
import { STSClient } from "@aws-sdk/client-sts";
import { SQSClient } from "@aws-sdk/client-sqs";
import { version } from "layer-only";
import { createRequire } from "node:module";
import { readdirSync, realpathSync } from "node:fs";
const require = createRequire(import.meta.url);
export const handler = async () => ({
  sts: STSClient.origin ?? "runtime",
  sqs: typeof SQSClient,
  layerOnly: version,
  required: require("@aws-sdk/client-sts").STSClient.origin ?? "runtime",
  sqsAt: realpathSync(new URL(import.meta.resolve("@aws-sdk/client-sqs")).pathname),
  threads: readdirSync("/proc/self/task").length,
});
"""

THREADS = """
exports.handler = async () => require("node:fs").readdirSync("/proc/self/task").length;
"""


@needs_node
def test_esm_and_commonjs_find_layers_first_then_the_sdk_without_a_resolve_hook(
    lambda_client, function_name, node_sdk
) -> None:
    # NODE_PATH's order (node20's folder, then nodejs/node_modules, then the SDK) for both
    # `import` and `require`: an isolated environment's /node_modules leads to the SDK with
    # the layers' packages laid over it (no resolve hook, no loader thread on Node 20).
    layer_only = {
        "package.json": json.dumps({"name": "layer-only", "type": "module", "main": "i.js"}),
        "i.js": "export const version = 'from the layer';\n",
    }
    files = {
        **under("nodejs/node20/node_modules/@aws-sdk/client-sts", stand_in("node20")),
        **under("nodejs/node_modules/@aws-sdk/client-sts", stand_in("layer")),
        **under("nodejs/node_modules/layer-only", layer_only),
    }
    layer = lambda_client.publish_layer_version(
        LayerName=function_name, Content={"ZipFile": make_zip(files)}
    )["LayerVersionArn"]
    deploy(
        lambda_client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": LAYERED},
        Layers=[layer],
    )
    body = invoke(lambda_client, function_name)
    assert body["sts"] == body["required"] == "node20"
    assert body["sqs"] == "function"  # the SDK's own, beside the layers' packages
    assert body["layerOnly"] == "from the layer"
    if os.geteuid() == 0:  # isolated: the SDK is where Lambda keeps it, found with no hook
        assert body["sqsAt"].startswith("/var/runtime/node_modules/@aws-sdk/client-sqs/")
        # Node 20 runs a resolve hook on a loader thread of its own: the ES module function
        # has no more threads than a CommonJS one (which never gets a hook there).
        cjs = f"{function_name}-cjs"
        deploy(
            lambda_client,
            cjs,
            "",
            Runtime="nodejs20.x",
            Handler="index.handler",
            ZipFiles={"index.js": THREADS},
        )
        assert body["threads"] <= invoke(lambda_client, cjs)


@needs_node
def test_without_the_sdk_an_import_fails_with_nodes_own_error(
    launch, tmp_path, monkeypatch, function_name
) -> None:
    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(tmp_path / "empty-cache"))
    running = launch(tmp_path / "data", "--no-isolation")
    client = running.client("lambda")
    deploy(
        client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": ESM},
    )
    response = client.invoke(FunctionName=function_name, Payload=b"{}")
    error = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert error["errorMessage"].startswith("Cannot find package '@aws-sdk/client-sts'")


@needs_node
def test_not_isolated_the_sdk_is_found_on_node_path(
    launch, tmp_path, function_name, node_sdk
) -> None:
    running = launch(tmp_path / "data", "--no-isolation")
    client = running.client("lambda")
    deploy(
        client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": ESM},
    )
    body = invoke(client, function_name, {"prefix": "none-such"})
    assert body["arn"] == session_of(function_name)
    assert body["sdk"] == str(node_sdk.node_modules / "@aws-sdk/client-sts/dist-cjs/index.js")


# --- the installation itself, with a stand-in npm (no registry) ---


FAKE_NPM = """#!/bin/sh
# A stand-in for `npm ci`: counts its runs, fails when told to, makes one package.
echo run >> "{calls}"
[ -f "{fail}" ] && {{ echo "npm ERR! registry unreachable" >&2; exit 1; }}
test -f package-lock.json || exit 2
mkdir -p node_modules/@aws-sdk/client-sts
echo '{{"name": "@aws-sdk/client-sts"}}' > node_modules/@aws-sdk/client-sts/package.json
"""


@pytest.fixture
def fake(tmp_path: Path) -> dict[str, Path]:
    pinned = tmp_path / "pinned"
    pinned.mkdir()
    (pinned / MANIFEST).write_text('{"name": "sdk"}')
    (pinned / LOCKFILE).write_text('{"lockfileVersion": 3}')
    npm = tmp_path / "npm"
    calls, fail = tmp_path / "calls", tmp_path / "fail"
    npm.write_text(FAKE_NPM.format(calls=calls, fail=fail))
    npm.chmod(0o755)
    return {"pinned": pinned, "npm": npm, "calls": calls, "fail": fail, "cache": tmp_path / "c"}


def runs(fake: dict[str, Path]) -> int:
    return len(fake["calls"].read_text().split()) if fake["calls"].exists() else 0


def test_install_runs_npm_once_per_lockfile_into_a_read_only_folder(fake) -> None:
    sdk = NodeSdk(fake["cache"], fake["pinned"])
    assert not sdk.installed()
    where = sdk.install(str(fake["npm"]))
    assert where == sdk.node_modules and sdk.installed() and runs(fake) == 1
    assert sorted(os.listdir(sdk.root)) == ["node_modules"]  # only what environments see
    manifest = sdk.node_modules / "@aws-sdk/client-sts/package.json"
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o444
    assert stat.S_IMODE(sdk.node_modules.stat().st_mode) == 0o555
    sdk.install(str(fake["npm"]))
    assert runs(fake) == 1  # installed: npm is not run again
    first = sdk.root
    (fake["pinned"] / LOCKFILE).write_text('{"lockfileVersion": 3, "changed": true}')
    assert sdk.root != first and not sdk.installed()  # a new pin: a folder of its own
    sdk.install(str(fake["npm"]))
    assert runs(fake) == 2 and sdk.installed() and (first / "node_modules").is_dir()


def test_a_failed_install_says_why_and_leaves_nothing_behind(fake) -> None:
    fake["fail"].touch()
    sdk = NodeSdk(fake["cache"], fake["pinned"])
    with pytest.raises(NodeSdkError, match="registry unreachable"):
        sdk.install(str(fake["npm"]))
    assert not sdk.installed() and os.listdir(sdk.root.parent) == []


def test_install_without_npm_says_so(fake, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(fake["cache"]))
    with pytest.raises(NodeSdkError, match="npm is not installed"):
        NodeSdk(fake["cache"], fake["pinned"]).install()


def test_the_cache_is_shared_by_every_data_dir(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("OVERCAST_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert NodeSdk.default().root.parent == tmp_path / "overcast" / "node-sdk"
    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(tmp_path / "mine"))
    assert NodeSdk.default().root.parent == tmp_path / "mine" / "node-sdk"


def test_the_overcast_command_installs_it_once_and_says_where(fake, monkeypatch) -> None:
    import io

    from overcast.cli.main import main

    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(fake["cache"]))
    monkeypatch.setenv("PATH", f"{fake['npm'].parent}:{os.environ['PATH']}")
    where = NodeSdk.default().node_modules
    out = io.StringIO()
    assert main(["node-sdk", "path"], out=out) == 1 and out.getvalue() == f"{where}\n"
    out = io.StringIO()
    assert main(["node-sdk", "install"], out=out) == 0
    assert out.getvalue().startswith("installed in ") and out.getvalue().endswith(f"{where}\n")
    out = io.StringIO()
    assert main(["node-sdk", "install"], out=out) == 0 and runs(fake) == 1
    assert out.getvalue() == f"already installed: {where}\n"
    fake["fail"].touch()
    monkeypatch.setenv("OVERCAST_CACHE_DIR", str(fake["cache"] / "other"))
    err = io.StringIO()
    assert main(["node-sdk", "install"], out=io.StringIO(), err=err) == 1
    assert err.getvalue().startswith("error: npm ci failed (exit 1)")
