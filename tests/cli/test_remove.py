"""`overcast remove` in a serverless.yml folder, against stub CloudFormation and S3."""

from __future__ import annotations

from pathlib import Path

import pytest

from .stubs import Clients, StubCloudFormation, StubS3, run

SERVICE = "service: svc\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: app.hello\n"
BUCKET = "svc-dev-serverlessdeploymentbucket-1"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVICE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_empties_the_deployment_bucket_then_deletes_the_stack(service: Path) -> None:
    cf = StubCloudFormation()
    cf.add("svc-dev", {}, {"ServerlessDeploymentBucket": BUCKET})
    framework_keys = {"serverless/svc/dev/1/svc.zip", "serverless/svc/dev/1/template.json"}
    s3 = StubS3({BUCKET: {*framework_keys, "serverless/svc/prod/1/svc.zip", "mine.txt"}})

    result = run(["remove"], Clients(others={"cloudformation": cf, "s3": s3}))

    assert result.code == 0, result.err
    # Only the framework's objects of this stage go, as bucket.js lists them (by prefix).
    assert s3.buckets[BUCKET] == {"serverless/svc/prod/1/svc.zip", "mine.txt"}
    assert ("delete_stack", {"StackName": cf.stacks["svc-dev"]["StackId"]}) in cf.calls
    lines = result.out.splitlines()
    assert lines[0] == 'Removing "svc" from stage "dev" (us-east-1)'
    assert lines[1] == f"Removed 2 object(s) from S3 bucket {BUCKET}"
    assert "DELETE_COMPLETE" in lines[2]
    assert lines[-1].startswith("Service svc has been successfully removed (")


def test_a_stack_without_a_bucket_is_deleted(service: Path) -> None:
    cf = StubCloudFormation()
    cf.add("svc-prod", {})

    result = run(["remove", "-s", "prod"], Clients(others={"cloudformation": cf}))

    assert result.code == 0, result.err
    assert cf.stacks["svc-prod"]["StackStatus"] == "DELETE_COMPLETE"


def test_a_missing_stack_is_the_frameworks_error(service: Path) -> None:
    cf = StubCloudFormation()
    cf.add("svc-prod", {})

    result = run(["remove"], Clients(others={"cloudformation": cf}))

    assert (result.code, result.err) == (1, "error: Stack with id svc-dev does not exist\n")
    assert not [call for call in cf.calls if call[0] == "delete_stack"]
