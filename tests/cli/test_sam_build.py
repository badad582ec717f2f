"""`sam build` on the host (no Docker), then `sam deploy` of what it built, against a server:
a Python function with a dependency pip installs from requirements.txt (a local wheel, so no
network is needed), a TypeScript function bundled by esbuild (`BuildMethod: esbuild`) and a
function built by its Makefile (`BuildMethod: makefile`), each invoked through boto3; then
`sam list resources` / `sam list endpoints` read the deployed stack (endpoints through the
Cloud Control API), and `sam sync --code` changes one function's code in place."""

from __future__ import annotations

import json
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import RunningServer, http_call

from .sam_runner import PYTHON_RUNTIME, esbuild_folder, needs_sam, sam

pytestmark = [needs_sam, pytest.mark.timeout(300)]

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 10
Resources:
  PyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.handler
      Runtime: PYTHON_RUNTIME
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Word:
          Type: HttpApi
          Properties: {Path: /word, Method: get}
  TsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ts/
      Handler: app.handler
      Runtime: nodejs20.x
    Metadata:
      BuildMethod: esbuild
      BuildProperties: {EntryPoints: [app.ts], Target: es2020}
  MakeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: mk/
      Handler: app.handler
      Runtime: PYTHON_RUNTIME
      Events:
        Made:
          Type: Api
          Properties: {Path: /made, Method: get}
    Metadata:
      BuildMethod: makefile
Outputs:
  PyFunction: {Value: !Ref PyFunction}
  TsFunction: {Value: !Ref TsFunction}
  MakeFunction: {Value: !Ref MakeFunction}
  ApiId: {Value: !Ref ServerlessHttpApi}
"""

PY_HANDLER = """
import json
import greetlib
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"word": greetlib.WORD, "v": "VERSION"})}
"""

TS_HANDLER = """
interface Greeting { message: string }
export const handler = async (event: { name: string }): Promise<Greeting> => {
  return { message: `hello ${event.name} from typescript` };
};
"""

MAKEFILE = 'build-MakeFunction:\n\tsed "s/MADE/by make/" app.py.in > $(ARTIFACTS_DIR)/app.py\n'


@dataclass(frozen=True)
class App:
    folder: Path
    stack: str
    bucket: str
    tools: tuple[Path, ...]  # what `sam build` needs on PATH (esbuild)
    outputs: dict[str, str]


def wheel(folder: Path) -> Path:
    """A pure-Python wheel, `greetlib`, for requirements.txt to name by its path."""
    path = folder / "greetlib-1.0-py3-none-any.whl"
    info = "greetlib-1.0.dist-info"
    files = {
        "greetlib/__init__.py": 'WORD = "from a wheel"\n',
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: greetlib\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def write_app(folder: Path, version: str) -> None:
    for part in ("py", "ts", "mk"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    (folder / "template.yaml").write_text(TEMPLATE.replace("PYTHON_RUNTIME", PYTHON_RUNTIME))
    (folder / "py" / "app.py").write_text(PY_HANDLER.replace("VERSION", version))
    (folder / "py" / "requirements.txt").write_text(f"{wheel(folder)}\n")
    (folder / "ts" / "app.ts").write_text(TS_HANDLER)
    (folder / "ts" / "package.json").write_text('{"name": "ts-app", "version": "1.0.0"}')
    (folder / "mk" / "app.py.in").write_text('def handler(e, c):\n    return {"made": "MADE"}\n')
    (folder / "mk" / "Makefile").write_text(MAKEFILE)


@pytest.fixture(scope="module")
def app(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> App:
    scratch = tmp_path_factory.mktemp("esbuild")
    esbuild = esbuild_folder(scratch)
    if esbuild is None:
        pytest.skip("no esbuild for `sam build`'s esbuild workflow")
    folder = tmp_path_factory.mktemp("sam-build-app")
    write_app(folder, "1")
    built = sam(server, folder, "build", path=(esbuild,))
    assert built.returncode == 0, built.stdout + built.stderr
    bucket = f"built-{uuid.uuid4().hex[:10]}"
    server.client("s3").create_bucket(Bucket=bucket)
    stack = f"built-{uuid.uuid4().hex[:8]}"
    deployed = sam(
        server, folder, "deploy", "--stack-name", stack, "--s3-bucket", bucket,
        "--capabilities", "CAPABILITY_IAM", "--no-confirm-changeset", "--no-progressbar",
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    stacks = server.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0]["Outputs"]}
    return App(folder, stack, bucket, (esbuild,), outputs)


def invoke(server: RunningServer, name: str, event: dict) -> dict:
    answer = server.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event))
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def test_built_functions_answer_through_boto3(server: RunningServer, app: App):
    """What runs is what `sam build` made (`sam deploy` reads .aws-sam/build/template.yaml):
    the source folders hold no greetlib, no app.js and no app.py for the Makefile's function."""
    py = invoke(server, app.outputs["PyFunction"], {})
    assert json.loads(py["body"]) == {"word": "from a wheel", "v": "1"}
    ts = invoke(server, app.outputs["TsFunction"], {"name": "sam"})
    assert ts == {"message": "hello sam from typescript"}
    assert invoke(server, app.outputs["MakeFunction"], {}) == {"made": "by make"}


def test_sam_list_resources(server: RunningServer, app: App):
    listed = sam(
        server, app.folder, "list", "resources", "--stack-name", app.stack, "--output", "json"
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in json.loads(listed.stdout)}
    assert physical["PyFunction"] == app.outputs["PyFunction"]
    assert physical["ServerlessHttpApi"] == app.outputs["ApiId"]
    assert "PyFunctionUrl" in physical and "MakeFunctionRole" in physical


def test_sam_list_endpoints_reads_function_urls_and_apis(server: RunningServer, app: App):
    listed = sam(
        server, app.folder, "list", "endpoints", "--stack-name", app.stack, "--output", "json"
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    endpoints = {e["LogicalResourceId"]: e for e in json.loads(listed.stdout)}
    url = server.client("lambda").get_function_url_config(FunctionName=app.outputs["PyFunction"])
    assert endpoints["PyFunction"]["CloudEndpoint"] == url["FunctionUrl"]
    assert endpoints["TsFunction"]["CloudEndpoint"] == "-"  # no URL: Cloud Control's not found
    api = endpoints["ServerlessHttpApi"]
    assert api["PhysicalResourceId"] == app.outputs["ApiId"]
    assert any(app.outputs["ApiId"] in e for e in api["CloudEndpoint"])  # one per stage
    assert api["Methods"] == ["/word['get']"]
    rest = endpoints["ServerlessRestApi"]  # a REST API's stages, from API Gateway's GetStages
    # SAM's implicit API without OpenApiVersion deploys a `Stage` stage beside `Prod`, on AWS too
    stages = sorted(e.rsplit("/", 1)[-1] for e in rest["CloudEndpoint"])
    assert stages == ["Prod", "Stage"]
    assert rest["Methods"] == ["/made['get']"]


def test_sam_sync_code_updates_one_function(server: RunningServer, app: App):
    write_app(app.folder, "2")
    synced = sam(
        server, app.folder, "sync", "--code", "--stack-name", app.stack,
        "--resource-id", "PyFunction", "--s3-bucket", app.bucket, "--no-watch",
        "--no-dependency-layer", stdin="y\n", path=app.tools,
    )  # fmt: skip
    assert synced.returncode == 0, synced.stdout + synced.stderr
    status, _, body = http_call(f"{server.endpoint}/execute-api/{app.outputs['ApiId']}/word")
    assert (status, json.loads(body)) == (200, {"word": "from a wheel", "v": "2"})
