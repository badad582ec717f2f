"""Overcast's Node.js runtime client through boto3: ESM, CommonJS, callbacks, context, errors."""

from __future__ import annotations

import base64
import json
import shutil

import pytest

from support import deploy

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

ESM = """
let calls = 0;
export const handler = async (event, context) => {
  calls += 1;
  console.log("handling", JSON.stringify(event));
  if (event.fail) throw new TypeError("esm failure");
  return {
    calls,
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    arn: context.invokedFunctionArn,
    memory: context.memoryLimitInMB,
    group: context.logGroupName,
    stream: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
  };
};
"""

CJS = """
exports.handler = async (event) => ({ kind: "cjs", event });
"""

CALLBACK = """
exports.handler = (event, context, callback) => {
  if (event.fail) return callback(new Error("callback failure"));
  const waits = context.callbackWaitsForEmptyEventLoop;
  setTimeout(() => callback(null, { kind: "callback", waits }), 5);
};
"""


def node(client, name: str, files: dict[str, str], handler: str = "index.handler") -> None:
    deploy(client, name, "", Runtime="nodejs20.x", Handler=handler, ZipFiles=files)


def invoke(client, name: str, event: dict, **kwargs):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_esm_handler_context_state_and_logs(lambda_client, function_name) -> None:
    node(lambda_client, function_name, {"index.mjs": ESM})
    response, body = invoke(lambda_client, function_name, {"n": 1}, LogType="Tail")
    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert body["calls"] == 1 and body["event"] == {"n": 1}
    assert body["requestId"] == request_id
    assert body["functionName"] == function_name and body["functionVersion"] == "$LATEST"
    assert body["arn"].endswith(f":function:{function_name}")
    assert body["memory"] == "128" and body["group"] == f"/aws/lambda/{function_name}"
    assert "[$LATEST]" in body["stream"] and 0 < body["remaining"] <= 3000
    log = base64.b64decode(response["LogResult"]).decode()
    assert f'\t{request_id}\tINFO\thandling {{"n":1}}' in log
    assert invoke(lambda_client, function_name, {})[1]["calls"] == 2  # module state is reused
    response, error = invoke(lambda_client, function_name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "TypeError" and error["errorMessage"] == "esm failure"
    assert error["trace"][0] == "TypeError: esm failure"


@pytest.mark.parametrize(
    ("files", "handler", "kind"),
    [
        ({"index.js": CJS}, "index.handler", "cjs"),
        ({"lib/app.cjs": CJS}, "lib/app.handler", "cjs"),
        (
            {
                "index.js": ESM.replace("calls,", "kind: 'module',"),
                "package.json": '{"type": "module"}',
            },
            "index.handler",
            "module",
        ),
    ],
)
def test_module_kinds(lambda_client, function_name, files, handler, kind) -> None:
    node(lambda_client, function_name, files, handler)
    body = invoke(lambda_client, function_name, {"x": 1})[1]
    assert body.get("kind") == kind


WAITING = """
let timerDone = false;
exports.handler = (event, context, callback) => {
  const done = timerDone;
  timerDone = false;
  context.callbackWaitsForEmptyEventLoop = event.wait;
  setTimeout(() => { timerDone = true; }, 300);
  callback(null, { previousTimerRan: done });
};
"""


def test_callback_waits_for_the_empty_event_loop(lambda_client, function_name) -> None:
    node(lambda_client, function_name, {"index.js": WAITING})
    invoke(lambda_client, function_name, {"wait": True})
    # The first answer waited for its timer, so the timer had run before this invocation.
    assert invoke(lambda_client, function_name, {"wait": False})[1] == {"previousTimerRan": True}
    # That one did not wait: its timer had not run when the next invocation began.
    assert invoke(lambda_client, function_name, {"wait": True})[1] == {"previousTimerRan": False}


def test_callback_handlers(lambda_client, function_name) -> None:
    node(lambda_client, function_name, {"index.js": CALLBACK})
    assert invoke(lambda_client, function_name, {})[1] == {"kind": "callback", "waits": True}
    response, error = invoke(lambda_client, function_name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Error" and error["errorMessage"] == "callback failure"


@pytest.mark.parametrize(
    ("files", "handler", "error_type"),
    [
        ({"index.mjs": ESM}, "missing.handler", "Runtime.ImportModuleError"),
        ({"index.mjs": ESM}, "index.nothing", "Runtime.HandlerNotFound"),
        ({"index.mjs": "export const handler = ("}, "index.handler", "Runtime.UserCodeSyntaxError"),
    ],
)
def test_init_errors(lambda_client, function_name, files, handler, error_type) -> None:
    node(lambda_client, function_name, files, handler)
    response, error = invoke(lambda_client, function_name, {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == error_type
