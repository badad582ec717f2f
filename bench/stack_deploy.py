"""A 10-function SAM application (one HTTP API, one DynamoDB table, one SQS queue) deployed as a
stack, against the same resources made with direct boto3 calls, in the same run.

    python bench/stack_deploy.py

Create: `overcast deploy template.yaml` (run in this process, as `overcast.cli.main.main`: the
build, the uploads, CreateChangeSet, ExecuteChangeSet, events followed to CREATE_COMPLETE)
timed from its first call to its return. Baseline: what SAM's template expands to, made by a
script with boto3 one call after another on the same server: 10 execution roles with their
policies, the table, the queue, 10 functions (each waited Active), the HTTP API with an
integration, a route and a permission per function, its $default stage, and the queue's
event source mapping.
Update: one function's code changed, `overcast deploy` again (build, upload, change set,
UPDATE_COMPLETE) against UpdateFunctionCode + the function_updated_v2 waiter.
Targets (issue 19): create <= 3 s, update <= 1 s, from `sam deploy`'s first call: where the SAM
CLI is installed (OVERCAST_SAM_CLI, or `sam` on PATH) the same project is also deployed with
`sam deploy --resolve-s3` (a subprocess with `overcast env`'s variables: its start-up and its
own polling count) and updated the same way, twice: with the SAM CLI's default poll delay (it
sleeps SAM_CLI_POLL_DELAY, 5 s by default, before it first asks for the stack's events, however
fast the stack is) and with SAM_CLI_POLL_DELAY=0.1, the setting its docs give for this.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import client, overcast_server, root_key, zip_of

FUNCTIONS = 10
POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SQS_POLLER = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
SOURCE = """\
import json, os

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"fn": "NAME", "table": os.environ["TABLE"]})}
"""


def template() -> str:
    functions = []
    for n in range(FUNCTIONS):
        events = f"""
        Http:
          Type: HttpApi
          Properties: {{Path: /f{n}, Method: get}}"""
        if n == 0:
            events += """
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Queue.Arn, BatchSize: 10}"""
        functions.append(f"""
  F{n}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: f{n}/
      Policies:
        - DynamoDBCrudPolicy: {{TableName: !Ref Table}}
      Events:{events}""")
    return f"""\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    Timeout: 10
    Environment:
      Variables:
        TABLE: !Ref Table
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{{AttributeName: pk, AttributeType: S}}]
      KeySchema: [{{AttributeName: pk, KeyType: HASH}}]
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60{"".join(functions)}
"""


def project(root: Path) -> Path:
    for n in range(FUNCTIONS):
        (root / f"f{n}").mkdir()
        (root / f"f{n}" / "app.py").write_text(SOURCE.replace("NAME", f"f{n}"))
    (root / "template.yaml").write_text(template())
    return root


def overcast_deploy(endpoint: str, root: Path, stack: str) -> float:
    from overcast.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    status = main(
        ["deploy", str(root), "--stack-name", stack, "--endpoint-url", endpoint],
        client_factory=lambda service, endpoint_url, region: client(endpoint_url, service),
        out=out,
        err=err,
    )
    took = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"overcast deploy failed:\n{out.getvalue()}{err.getvalue()}")
    return took


def sam_deploy(endpoint: str, root: Path, stack: str, poll_delay: str | None) -> float | None:
    """`sam deploy` of the project, timed from its start to its exit; None without the CLI."""
    sam = os.environ.get("OVERCAST_SAM_CLI") or shutil.which("sam")
    if sam is None:
        return None
    keys = root_key(endpoint)
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": keys["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": keys["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "SAM_CLI_TELEMETRY": "0",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    env.pop("SAM_CLI_POLL_DELAY", None)
    if poll_delay is not None:
        env["SAM_CLI_POLL_DELAY"] = poll_delay
    command = [sam, "deploy", "--stack-name", stack, "--resolve-s3", "--no-confirm-changeset"]
    command += ["--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"sam deploy failed:\n{done.stdout}{done.stderr}")
    return took


def direct_create(endpoint: str, prefix: str) -> float:
    """The same resources, one boto3 call after another."""
    iam, lam = client(endpoint, "iam"), client(endpoint, "lambda")
    ddb, sqs = client(endpoint, "dynamodb"), client(endpoint, "sqs")
    apigw = client(endpoint, "apigatewayv2")
    started = time.perf_counter()
    table = ddb.create_table(
        TableName=f"{prefix}-table",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )["TableDescription"]
    queue = sqs.create_queue(QueueName=f"{prefix}-queue", Attributes={"VisibilityTimeout": "60"})
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue["QueueUrl"], AttributeNames=["QueueArn"])
    api = apigw.create_api(Name=prefix, ProtocolType="HTTP")
    for n in range(FUNCTIONS):
        name = f"{prefix}-f{n}"
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.attach_role_policy(RoleName=name, PolicyArn=POLICY)
        if n == 0:  # what SAM's SQS event adds to the function's role
            iam.attach_role_policy(RoleName=name, PolicyArn=SQS_POLLER)
        allowed = {"Effect": "Allow", "Action": "dynamodb:*", "Resource": table["TableArn"]}
        crud = {"Version": "2012-10-17", "Statement": [allowed]}
        iam.put_role_policy(RoleName=name, PolicyName="crud", PolicyDocument=json.dumps(crud))
        function = lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Handler="app.handler",
            Role=role["Role"]["Arn"],
            Timeout=10,
            Environment={"Variables": {"TABLE": table["TableName"]}},
            Code={"ZipFile": zip_of({"app.py": SOURCE.replace("NAME", f"f{n}")})},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        integration = apigw.create_integration(
            ApiId=api["ApiId"],
            IntegrationType="AWS_PROXY",
            IntegrationUri=function["FunctionArn"],
            PayloadFormatVersion="2.0",
        )
        apigw.create_route(
            ApiId=api["ApiId"],
            RouteKey=f"GET /f{n}",
            Target=f"integrations/{integration['IntegrationId']}",
        )
        lam.add_permission(
            FunctionName=name,
            StatementId="api",
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
        )
        if n == 0:
            lam.create_event_source_mapping(
                FunctionName=name,
                EventSourceArn=queue_arn["Attributes"]["QueueArn"],
                BatchSize=10,
            )
    apigw.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    return time.perf_counter() - started


def direct_update(endpoint: str, prefix: str) -> float:
    lam = client(endpoint, "lambda")
    name = f"{prefix}-f3"
    code = zip_of({"app.py": SOURCE.replace("NAME", "f3 v2")})
    started = time.perf_counter()
    lam.update_function_code(FunctionName=name, ZipFile=code)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    return time.perf_counter() - started


def main() -> None:
    with overcast_server() as endpoint, tempfile.TemporaryDirectory() as scratch:
        root = project(Path(scratch))
        direct_create(endpoint, "warmup")  # first-call costs (clients, imports) out of both
        baseline_create = direct_create(endpoint, "direct")
        create = overcast_deploy(endpoint, root, "bench")
        baseline_update = direct_update(endpoint, "direct")
        app = root / "f3" / "app.py"
        app.write_text(app.read_text().replace('"f3"', '"f3 v2"'))
        update = overcast_deploy(endpoint, root, "bench")
        sam_times = {}
        for delay in (None, "0.1"):
            stack = f"bench-sam-{'default' if delay is None else 'fast'}"
            created = sam_deploy(endpoint, root, stack, delay)
            if created is None:
                break
            app.write_text(app.read_text().replace('"f3 v', f'"f3 {stack} v'))
            sam_times[delay] = (created, sam_deploy(endpoint, root, stack, delay))
    print(f"{FUNCTIONS}-function SAM app (HttpApi, DynamoDB table, SQS queue)")
    print(f"create: overcast deploy {create:.2f} s  direct boto3 {baseline_create:.2f} s  "
          f"ratio {create / baseline_create:.2f}x  (target <= 3 s)")  # fmt: skip
    print(f"update: overcast deploy {update:.2f} s  direct boto3 {baseline_update:.2f} s  "
          f"ratio {update / baseline_update:.2f}x  (target <= 1 s)")  # fmt: skip
    if not sam_times:
        print("sam deploy: not measured (no SAM CLI: set OVERCAST_SAM_CLI)")
    for delay, (created, updated) in sam_times.items():
        label = "default poll delay (5 s)" if delay is None else f"SAM_CLI_POLL_DELAY={delay}"
        print(f"sam deploy, {label}: create {created:.2f} s (target <= 3 s), "
              f"update {updated:.2f} s (target <= 1 s)")  # fmt: skip


if __name__ == "__main__":
    main()
