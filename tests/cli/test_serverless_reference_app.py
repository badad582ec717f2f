"""The issue's reference application, deployed as its users deploy it: a serverless.yml with
HTTP API CRUD handlers in TypeScript on a DynamoDB table, an SQS worker and an hourly schedule
(tests/cli/reference_app/), through `overcast deploy`, called over HTTP, read back with
`overcast info` / `invoke -f` / `logs -f` and boto3, and removed with `overcast remove`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

APP = Path(__file__).parent / "reference_app"
DEADLINE_S = 60


def overcast(server, folder: Path, *argv: str) -> str:
    env = {
        **os.environ,
        "OVERCAST_ENDPOINT": server.endpoint,
        "OVERCAST_DATA_DIR": str(server.data_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", *argv],
        capture_output=True, text=True, timeout=180, env=env, cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def call(method: str, url: str, body: dict | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    return status, json.loads(text) if text else None


def until(check, what: str):
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


@pytest.fixture
def app(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    shutil.copytree(APP, folder)
    return folder


def test_the_reference_application_deploys_and_runs(server, app: Path) -> None:
    stage = f"t{uuid.uuid4().hex[:8]}"
    stack = f"notes-{stage}"
    deployed = overcast(server, app, "deploy", "--stage", stage)
    assert f"CREATE_COMPLETE {stack}" in deployed
    cf = server.client("cloudformation")
    described = cf.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    assert {"STAGE": stage} == {t["Key"]: t["Value"] for t in described["Tags"]}
    assert outputs["NotesTableName"] == f"notes-{stage}-notes"
    url = outputs["HttpApiUrl"]

    # CRUD over the HTTP API: TypeScript bundled by esbuild, @aws-sdk/* from the runtime.
    status, created = call("POST", f"{url}/notes", {"text": "hello"})
    assert status == 201 and created["text"] == "hello"
    note = f"{url}/notes/{created['id']}"
    assert call("GET", note) == (200, created)
    assert call("GET", f"{url}/notes") == (200, [created])
    assert call("PUT", note, {"text": "bye"}) == (200, {"id": created["id"], "text": "bye"})
    assert call("DELETE", note) == (204, None)
    assert call("GET", note) == (404, {"message": "not found"})

    # The SQS worker got the note create sent to the queue.
    until(
        lambda: (
            f"worked on note {created['id']}"
            in overcast(server, app, "logs", "-f", "worker", "--stage", stage)
        ),
        "the worker ran",
    )
    # The hourly schedule targets the cron function (not waited for: an hour).
    events = server.client("events")
    rule = next(r for r in events.list_rules()["Rules"] if r["Name"].startswith(stack))
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert [t["Arn"].rsplit(":", 1)[1] for t in targets] == [f"{stack}-cron"]
    ran = json.loads(overcast(server, app, "invoke", "-f", "cron", "--stage", stage))
    assert "ran" in ran

    info = overcast(server, app, "info", "--stage", stage)
    assert f"stack: {stack}" in info and f"POST - {url}/notes" in info
    assert f"worker: {stack}-worker" in info

    overcast(server, app, "remove", "--stage", stage)
    with pytest.raises(ClientError, match="does not exist"):
        cf.describe_stacks(StackName=stack)
