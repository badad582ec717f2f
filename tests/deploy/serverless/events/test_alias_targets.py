"""Every event compiler invokes a function's target alias (provisionedConcurrency) and makes
the resources that call it wait for the alias, through the one helper in events/_target.py."""

from __future__ import annotations

from typing import Any

import pytest

from overcast.deploy.serverless.events import event_bridge, rest_api, s3, schedule

from . import compiling

ALIAS_ARN = {"Fn::Join": [":", [{"Fn::GetAtt": ["HelloLambdaFunction", "Arn"]}, "provisioned"]]}
ALIAS_ID = "HelloProvConcLambdaAlias"


def _compiled(compiler: Any, kind: str, config: Any) -> dict[str, Any]:
    functions = {"hello": {"handler": "index.handler", "provisionedConcurrency": 2}}
    svc = compiling.service(functions=functions)
    return compiling.compiled(compiler, svc, compiling.use(kind, config)).resources


@pytest.mark.parametrize(
    ("compiler", "kind", "config", "principal"),
    [
        (schedule, "schedule", "rate(1 hour)", "events.amazonaws.com"),
        (schedule, "schedule", {"rate": ["rate(1 day)"]}, "events.amazonaws.com"),
        (s3, "s3", "photos", "s3.amazonaws.com"),
        (event_bridge, "eventBridge", {"pattern": {"source": ["a"]}}, "events.amazonaws.com"),
        (rest_api, "http", "GET hello", "apigateway.amazonaws.com"),
    ],
)
def test_the_permission_names_and_waits_for_the_alias(
    compiler: Any, kind: str, config: Any, principal: str
) -> None:
    resources = _compiled(compiler, kind, config)
    (permission,) = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permission["Properties"]["FunctionName"] == ALIAS_ARN
    assert permission["Properties"]["Principal"] == principal
    assert permission["Properties"]["Action"] == "lambda:InvokeFunction"
    assert permission["DependsOn"] == ALIAS_ID


def test_a_schedule_rule_targets_and_waits_for_the_alias() -> None:
    rule = _compiled(schedule, "schedule", "rate(1 hour)")["HelloEventsRuleSchedule1"]
    assert rule["DependsOn"] == ALIAS_ID
    assert rule["Properties"]["Targets"][0]["Arn"] == ALIAS_ARN


def test_an_s3_permission_names_the_account_and_the_bucket_waits_for_both() -> None:
    resources = _compiled(s3, "s3", "photos")
    permission = resources["HelloLambdaPermissionPhotosS3"]
    assert permission["Properties"]["SourceAccount"] == {"Ref": "AWS::AccountId"}
    bucket = resources["S3BucketPhotos"]
    assert bucket["DependsOn"] == ["HelloLambdaPermissionPhotosS3", ALIAS_ID]


def test_a_rest_integration_uri_joins_the_alias_into_one_text() -> None:
    method = _compiled(rest_api, "http", "GET hello")["ApiGatewayMethodHelloGet"]
    parts = method["Properties"]["Integration"]["Uri"]["Fn::Join"][1]
    # methods.js writes the alias into the URI's own Join, not as a nested Join
    assert parts[-4:] == [
        {"Fn::GetAtt": ["HelloLambdaFunction", "Arn"]},
        ":",
        "provisioned",
        "/invocations",
    ]
