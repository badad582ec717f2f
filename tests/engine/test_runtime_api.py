"""Custom runtimes through Lambda's Runtime API: a shell bootstrap, awslambdaric, bad input."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from support import LAMBDA_ROLE, make_zip

# The custom-runtime tutorial's bootstrap, with curl: the handler is a shell function.
SHELL_BOOTSTRAP = r"""#!/bin/bash
set -euo pipefail
source "$LAMBDA_TASK_ROOT/$(echo $_HANDLER | cut -d. -f1).sh"
echo "init from the shell bootstrap"
while true; do
  HEADERS="$(mktemp)"
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  ARN=$(grep -Fi Lambda-Runtime-Invoked-Function-Arn "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)
  INVOCATION="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID"
  if echo "$EVENT_DATA" | grep -q fail; then
    curl -sS -X POST "$INVOCATION/error" -H "Lambda-Runtime-Function-Error-Type: Custom.Failure" \
      -d '{"errorMessage": "asked to fail", "errorType": "Custom.Failure"}' >/dev/null
    continue
  fi
  if echo "$EVENT_DATA" | grep -q exit; then exit 3; fi
  RESPONSE=$($(echo "$_HANDLER" | cut -d. -f2) "$EVENT_DATA" "$ARN")
  curl -sS -X POST "$INVOCATION/response" -d "$RESPONSE" >/dev/null
done
"""

SHELL_HANDLER = """
function handler () {
  EVENT_DATA=$1
  echo "handling $EVENT_DATA" 1>&2
  echo "{\\"echo\\": $EVENT_DATA, \\"arn\\": \\"$2\\"}"
}
"""


def custom(client, name: str, files: dict[str, str | bytes], handler: str, **config) -> None:
    client.create_function(
        FunctionName=name,
        Runtime="provided.al2023",
        Role=LAMBDA_ROLE,
        Handler=handler,
        Code={"ZipFile": make_zip(files, executable={"bootstrap"})},
        Timeout=15,  # a loaded CI machine must not turn a slow 6 MB upload into a timeout
        **config,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def invoke(client, name: str, event: dict, **kwargs):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_shell_bootstrap_as_in_the_tutorial(lambda_client, function_name) -> None:
    custom(
        lambda_client,
        function_name,
        {"bootstrap": SHELL_BOOTSTRAP, "function.sh": SHELL_HANDLER},
        "function.handler",
    )
    response, body = invoke(lambda_client, function_name, {"n": 1}, LogType="Tail")
    assert "echo" in body, (body, base64.b64decode(response["LogResult"]).decode())
    assert body["echo"] == {"n": 1}
    assert body["arn"].endswith(f":function:{function_name}")
    log = base64.b64decode(response["LogResult"]).decode()
    assert "init from the shell bootstrap" in log and 'handling {"n": 1}' in log
    assert "Init Duration" in log.splitlines()[-1]
    _, warm = invoke(lambda_client, function_name, {"n": 2})
    assert warm["echo"] == {"n": 2}
    response, error = invoke(lambda_client, function_name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error == {"errorMessage": "asked to fail", "errorType": "Custom.Failure"}
    response, error = invoke(lambda_client, function_name, {"exit": True})
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: exit status 3")


def test_missing_bootstrap_is_an_init_error(lambda_client, function_name) -> None:
    lambda_client.create_function(
        FunctionName=function_name,
        Runtime="provided.al2",
        Role=LAMBDA_ROLE,
        Handler="whatever",
        Code={"ZipFile": make_zip({"README": "no bootstrap here"})},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    response, error = invoke(lambda_client, function_name, {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.InvalidEntrypoint"


def test_awslambdaric_is_served_correctly(lambda_client, function_name, tmp_path: Path) -> None:
    target = tmp_path / "package"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "awslambdaric"],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        pytest.skip(f"awslambdaric could not be installed here: {installed.stderr[-300:]}")
    files: dict[str, str | bytes] = {
        str(path.relative_to(target)): path.read_bytes()
        for path in target.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    files["bootstrap"] = f"#!/bin/sh\nexec {sys.executable} -m awslambdaric $_HANDLER\n"
    files["app.py"] = textwrap.dedent(
        """
        def handler(event, context):
            if event.get("fail"):
                raise ValueError("ric failure")
            return {
                "event": event,
                "request_id": context.aws_request_id,
                "function_name": context.function_name,
                "arn": context.invoked_function_arn,
                "remaining": context.get_remaining_time_in_millis(),
            }
        """
    )
    custom(lambda_client, function_name, files, "app.handler")
    response, body = invoke(lambda_client, function_name, {"k": "v"})
    assert body["event"] == {"k": "v"}
    assert body["request_id"] == response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert body["function_name"] == function_name
    assert body["arn"].endswith(f":function:{function_name}")
    assert 0 < body["remaining"] <= 15000
    response, error = invoke(lambda_client, function_name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "ric failure"


PROBING_BOOTSTRAP = """#!{python}
import json, os, urllib.error, urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def call(path, data=None):
    method = "POST" if data is not None else "GET"
    request = urllib.request.Request(API + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


previous = None
while True:
    _, headers, body = call("/invocation/next")
    request_id = headers["Lambda-Runtime-Aws-Request-Id"]
    event = json.loads(body)
    seen = {{}}
    if event["step"] == 1:
        seen["wrong id"] = call("/invocation/not-a-request/response", b"{{}}")[0]
        seen["unknown path"] = call("/invocation/" + request_id + "/elsewhere", b"{{}}")[0]
    elif event["step"] == 2:
        seen["answered twice"] = call("/invocation/" + previous + "/response", b"{{}}")[0]
    elif event["step"] == 3:
        too_large = b"x" * (6 * 1024 * 1024 + 200)
        seen["too large"] = call("/invocation/" + request_id + "/response", too_large)[0]
        previous = request_id
        continue
    elif event["step"] == 4:  # an error body that is not JSON: the header names the type
        request = urllib.request.Request(
            API + "/invocation/" + request_id + "/error", data=b"not json", method="POST",
            headers={{"Lambda-Runtime-Function-Error-Type": "Custom.Weird"}},
        )
        urllib.request.urlopen(request).read()
        previous = request_id
        continue
    seen["deadline"] = int(headers["Lambda-Runtime-Deadline-Ms"]) > 0
    call("/invocation/" + request_id + "/response", json.dumps(seen).encode())
    previous = request_id
"""


def test_bad_input_at_the_runtime_api(lambda_client, function_name) -> None:
    bootstrap = PROBING_BOOTSTRAP.format(python=sys.executable)
    custom(lambda_client, function_name, {"bootstrap": bootstrap}, "unused")
    _, first = invoke(lambda_client, function_name, {"step": 1})
    assert first == {"wrong id": 400, "unknown path": 404, "deadline": True}
    _, second = invoke(lambda_client, function_name, {"step": 2})
    assert second == {"answered twice": 403, "deadline": True}
    response, error = invoke(lambda_client, function_name, {"step": 3})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Function.ResponseSizeTooLarge"
    assert error["errorMessage"].endswith("exceeded maximum allowed payload size (6291556 bytes).")
    response, error = invoke(lambda_client, function_name, {"step": 4})
    assert response["FunctionError"] == "Unhandled"
    assert error == {"errorType": "Custom.Weird", "errorMessage": "not json"}


NODE_USES_LAYER = "exports.handler = async () => require('shared');"


def test_layers_reach_python_and_node_at_opt(lambda_client, function_name) -> None:
    layer = lambda_client.publish_layer_version(
        LayerName=function_name,
        Content={
            "ZipFile": make_zip(
                {
                    "python/shared.py": "WHO = 'python layer'\n",
                    "nodejs/node_modules/shared/index.js": "module.exports = 'node layer';\n",
                    "bin/hello": "#!/bin/sh\necho from-opt-bin\n",
                },
                executable={"bin/hello"},
            )
        },
    )["LayerVersionArn"]
    python_app = (
        "import shared, subprocess\n"
        "def handler(event, context):\n"
        "    out = subprocess.run(['hello'], capture_output=True, text=True).stdout.strip()\n"
        "    return [shared.WHO, out]\n"
    )
    lambda_client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": python_app})},
        Layers=[layer],
    )
    lambda_client.create_function(
        FunctionName=function_name + "-node",
        Runtime="nodejs20.x",
        Role=LAMBDA_ROLE,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": NODE_USES_LAYER})},
        Layers=[layer],
    )
    for name in (function_name, function_name + "-node"):
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    assert invoke(lambda_client, function_name, {})[1] == ["python layer", "from-opt-bin"]
    assert invoke(lambda_client, function_name + "-node", {})[1] == "node layer"


EXTENSION = r"""#!/bin/bash
API="http://${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
HEADERS="$(mktemp)"
curl -sS -D "$HEADERS" -X POST "$API/register" -H "Lambda-Extension-Name: recorder" \
  -d '{"events": ["INVOKE", "SHUTDOWN"]}' >/dev/null
ID=$(grep -Fi Lambda-Extension-Identifier "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
while true; do
  EVENT=$(curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID")
  TYPE=$(echo "$EVENT" | sed 's/.*"eventType": *"\([A-Z]*\)".*/\1/')
  REQUEST=$(echo "$EVENT" | sed -n 's/.*"requestId": *"\([^"]*\)".*/\1/p')
  echo "recorder saw $TYPE $REQUEST"
  if [ "$TYPE" = "SHUTDOWN" ]; then exit 0; fi
  sleep 0.3  # slow work after each invocation: the environment must wait for it
  echo -n "$REQUEST" > /tmp/last
done
"""


def extension_layer(client, name: str, extension: str, script: str) -> str:
    """A layer holding one external extension (an executable in extensions/)."""
    path = f"extensions/{extension}"
    content = {"ZipFile": make_zip({path: script}, {path})}
    return client.publish_layer_version(LayerName=name, Content=content)["LayerVersionArn"]


REPORTING_HANDLER = """
function handler () {
  echo "{\\"last\\": \\"$(cat /tmp/last 2>/dev/null)\\"}"
}
"""


def test_external_extension_gets_invoke_and_shutdown(server, lambda_client, function_name):
    layer = extension_layer(lambda_client, function_name, "recorder", EXTENSION)
    files = {"bootstrap": SHELL_BOOTSTRAP, "function.sh": REPORTING_HANDLER}
    custom(lambda_client, function_name, files, "function.handler", Layers=[layer])
    first, body = invoke(lambda_client, function_name, {})
    assert body == {"last": ""}
    _, body = invoke(lambda_client, function_name, {})
    # The second event waited until the extension had finished with the first.
    assert body == {"last": first["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]}
    lambda_client.delete_function(FunctionName=function_name)  # ends the environment
    logs = server.client("logs")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = [
            e["message"]
            for e in logs.filter_log_events(logGroupName=f"/aws/lambda/{function_name}")["events"]
        ]
        if "recorder saw SHUTDOWN " in messages:
            break
        time.sleep(0.2)  # polling the stored log with a deadline
    assert "recorder saw SHUTDOWN " in messages
    assert sum(1 for m in messages if m.startswith("recorder saw INVOKE ")) == 2


def test_python_function_with_an_extension(lambda_client, function_name) -> None:
    layer = extension_layer(lambda_client, function_name, "recorder", EXTENSION)
    app = (
        "import os\n"
        "def handler(event, context):\n"
        "    last = open('/tmp/last').read() if os.path.exists('/tmp/last') else ''\n"
        "    return {'last': last, 'id': context.aws_request_id}\n"
    )
    lambda_client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": app})},
        Layers=[layer],
        Timeout=15,
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    _, first = invoke(lambda_client, function_name, {})
    assert first["last"] == ""
    _, second = invoke(lambda_client, function_name, {})
    assert second["last"] == first["id"]  # the extension finished with the first event
    response, error = invoke(lambda_client, function_name, {"x": 1}, Qualifier="$LATEST")
    assert "FunctionError" not in response and error["last"] == second["id"]


FAILING_EXTENSION = r"""#!/bin/bash
API="http://${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
HEADERS="$(mktemp)"
curl -sS -D "$HEADERS" -X POST "$API/register" -H "Lambda-Extension-Name: broken" \
  -d '{"events": ["INVOKE"]}' >/dev/null
ID=$(grep -Fi Lambda-Extension-Identifier "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
curl -sS -X POST "$API/init/error" -H "Lambda-Extension-Identifier: $ID" \
  -H "Lambda-Extension-Function-Error-Type: Extension.ConfigInvalid" -d 'no config' >/dev/null
sleep 5
"""


def test_extension_init_error_fails_init(lambda_client, function_name) -> None:
    layer = extension_layer(lambda_client, function_name, "broken", FAILING_EXTENSION)
    files = {"bootstrap": SHELL_BOOTSTRAP, "function.sh": SHELL_HANDLER}
    custom(lambda_client, function_name, files, "function.handler", Layers=[layer])
    response, error = invoke(lambda_client, function_name, {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Extension.ConfigInvalid"
