"""template.py: the whole stack: the deployment bucket, events handed to their compilers,
`resources:` merged, the stack's tags and the notes."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from overcast.deploy.serverless import template
from overcast.deploy.serverless.model import TranslationError

from .compiling import compile, service


def test_the_core_template_holds_the_deployment_bucket(tmp_path: Path):
    compiled, notes = compile(tmp_path)
    description = "The AWS CloudFormation template for this Serverless application"
    assert compiled["Description"] == description
    assert compiled["Resources"]["ServerlessDeploymentBucket"]["Type"] == "AWS::S3::Bucket"
    policy = compiled["Resources"]["ServerlessDeploymentBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "ServerlessDeploymentBucket"}
    assert compiled["Outputs"]["ServerlessDeploymentBucketName"] == {
        "Value": {"Ref": "ServerlessDeploymentBucket"}
    }
    assert "IamRoleLambdaExecution" not in compiled["Resources"]  # no functions, no role
    assert notes == []


def test_stack_tags_are_stage_then_the_projects(tmp_path: Path):
    assert template.stack_tags(service(tmp_path)) == {"STAGE": "dev"}
    tagged = service(tmp_path, provider={"stackTags": {"team": "a", "stage": "x"}})
    assert template.stack_tags(tagged) == {"team": "a", "stage": "x"}


def test_ignored_settings_and_plugins_are_noted(tmp_path: Path):
    _, notes = compile(
        tmp_path,
        provider={"deploymentBucket": {"name": "b"}},
        plugins=["serverless-offline", "serverless-step-functions", "my-plugin"],
    )
    assert any(note.startswith("provider.deploymentBucket: ignored") for note in notes)
    assert any("serverless-offline is local-only" in note for note in notes)
    assert any("Step Functions do not exist in Overcast yet" in note for note in notes)
    assert "plugin my-plugin is not built into Overcast: ignored" in notes


def test_events_go_to_their_compiler_all_at_once_in_file_order(tmp_path: Path, monkeypatch):
    seen = []

    def compile_sqs(stack, project, uses):
        seen.extend(
            (u.function_key, u.function_logical_id, u.index, u.config, u.path) for u in uses
        )
        stack.role_statements.append({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})

    fake = types.ModuleType("sqs")
    fake.compile = compile_sqs
    monkeypatch.setitem(sys.modules, "overcast.deploy.serverless.events.sqs", fake)
    functions = {
        "a": {"handler": "x.y", "events": [{"sqs": "arn:1"}, {"sqs": {"arn": "arn:2"}}]},
        "b": {"handler": "x.y", "events": [{"sqs": "arn:3"}]},
    }
    compiled, _ = compile(tmp_path, functions)
    assert seen == [
        ("a", "ALambdaFunction", 1, "arn:1", "functions.a.events[0].sqs"),
        ("a", "ALambdaFunction", 2, {"arn": "arn:2"}, "functions.a.events[1].sqs"),
        ("b", "BLambdaFunction", 1, "arn:3", "functions.b.events[0].sqs"),
    ]
    role = compiled["Resources"]["IamRoleLambdaExecution"]["Properties"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[-1] == {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"alb": {}}, r"functions.h.events\[0\].alb: Application Load Balancer events need"),
        ({"carrierPigeon": {}}, r"functions.h.events\[0\]: unknown event type 'carrierPigeon'"),
        ({"sqs": "a", "sns": "b"}, r"functions.h.events\[0\]: expected one event type"),
        ("sqs", r"functions.h.events\[0\]: expected one event type"),
    ],
)
def test_bad_events_are_refused_by_name(tmp_path: Path, event, message):
    with pytest.raises(TranslationError, match=message):
        compile(tmp_path, {"h": {"handler": "a.b", "events": [event]}})


def test_an_event_type_without_its_compiler_yet_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setitem(template.COMPILERS, "sqs", "no_such_compiler")
    with pytest.raises(TranslationError, match="event type sqs is not supported yet"):
        compile(tmp_path, {"h": {"handler": "a.b", "events": [{"sqs": "arn"}]}})


def test_resources_are_merged_over_the_compiled_ones(tmp_path: Path):
    resources = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "HLambdaFunction": {"Properties": {"MemorySize": 256}},
        },
        "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}},
        "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}},
    }
    compiled, _ = compile(tmp_path, {"h": {"handler": "a.b"}}, resources=resources)
    function = compiled["Resources"]["HLambdaFunction"]
    assert function["Properties"]["MemorySize"] == 256
    assert function["Properties"]["Handler"] == "a.b"  # the rest stays
    assert compiled["Resources"]["Queue"] == {"Type": "AWS::SQS::Queue"}
    assert compiled["Outputs"]["QueueUrl"] == {"Value": {"Ref": "Queue"}}
    assert compiled["Conditions"] == resources["Conditions"]


def test_extensions_set_attributes_of_compiled_resources(tmp_path: Path):
    extensions = {
        "HLogGroup": {"DeletionPolicy": "Retain", "Properties": {"RetentionInDays": 3}},
        "HLambdaFunction": {"DependsOn": ["Other"]},
    }
    compiled, _ = compile(tmp_path, {"h": {"handler": "a.b"}}, resources={"extensions": extensions})
    group = compiled["Resources"]["HLogGroup"]
    assert group["DeletionPolicy"] == "Retain"
    assert group["Properties"]["RetentionInDays"] == 3
    assert compiled["Resources"]["HLambdaFunction"]["DependsOn"] == ["HLogGroup", "Other"]
    with pytest.raises(TranslationError, match='resources.extensions.Nope: cannot extend "Nope"'):
        compile(tmp_path, {"h": {"handler": "a.b"}}, resources={"extensions": {"Nope": {}}})
