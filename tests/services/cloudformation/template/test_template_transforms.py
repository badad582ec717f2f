"""AWS::LanguageExtensions and AWS::Include; GetTemplateSummary's fields, capabilities and the
template's structure."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation.template import (
    TemplateError,
    check,
    declared,
    load,
    required_capabilities,
    summary,
    transform,
)


def processed(template: dict, include: object = None, **parameters: object) -> dict:
    return transform(
        template,
        parameters=parameters,
        region="us-east-1",
        account_id="123456789012",
        stack_name="app",
        include=include,  # type: ignore[arg-type]
    )


FOR_EACH = """
Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList, Default: 'Orders,Refund-Requests'}
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn::ForEach::Topics:
    - Name
    - !Ref Names
    - 'Topic&{Name}':
        Type: AWS::SNS::Topic
        DeletionPolicy: !If [IsProd, Retain, Delete]
        Properties:
          TopicName: !Sub '${AWS::StackName}-${Name}'
          DisplayName: !Ref Name
Outputs:
  Fn::ForEach::Arns:
    - Name
    - [Orders]
    - '${Name}Arn':
        Value: !Ref 'TopicOrders'
  Count:
    Value: !Length [a, b, c]
"""


def test_for_each_expands_resources_and_outputs() -> None:
    template = processed(load(FOR_EACH), Names=["Orders", "Refund-Requests"], Env="prod")
    resources = template["Resources"]
    assert list(resources) == ["TopicOrders", "TopicRefundRequests"]
    orders = resources["TopicOrders"]
    assert orders["Properties"] == {
        "TopicName": {"Fn::Sub": "${AWS::StackName}-Orders"},
        "DisplayName": "Orders",
    }
    assert orders["DeletionPolicy"] == "Retain"
    assert resources["TopicRefundRequests"]["Properties"]["DisplayName"] == "Refund-Requests"
    assert template["Outputs"]["OrdersArn"] == {"Value": {"Ref": "TopicOrders"}}
    assert template["Outputs"]["Count"] == {"Value": 3}
    assert "Transform" not in template


def test_nested_for_each() -> None:
    template = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {
            "Fn::ForEach::Envs": [
                "Env",
                ["Dev", "Prod"],
                {
                    "Fn::ForEach::Kinds": [
                        "Kind",
                        ["A", "B"],
                        {"Queue${Env}${Kind}": {"Type": "AWS::SQS::Queue"}},
                    ]
                },
            ]
        },
    }
    assert list(processed(template)["Resources"]) == [
        "QueueDevA",
        "QueueDevB",
        "QueueProdA",
        "QueueProdB",
    ]


def test_for_each_that_makes_a_name_twice_is_refused() -> None:
    template = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {"Fn::ForEach::X": ["N", ["a", "a"], {"Q${N}": {"Type": "AWS::SQS::Queue"}}]},
    }
    with pytest.raises(TemplateError, match="Transform AWS::LanguageExtensions failed with"):
        processed(template)


def test_language_extensions_then_sam_in_declared_order() -> None:
    template = load(
        """
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Fn::ForEach::Functions:
    - Name
    - [Alpha, Beta]
    - '${Name}Function':
        Type: AWS::Serverless::Function
        Properties: {CodeUri: 's3://b/k.zip', Handler: app.h, Runtime: python3.12}
"""
    )
    kinds = {name: r["Type"] for name, r in processed(template)["Resources"].items()}
    assert kinds["AlphaFunction"] == kinds["BetaFunction"] == "AWS::Lambda::Function"
    assert kinds["AlphaFunctionRole"] == "AWS::IAM::Role"
    assert declared(template) == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]


SNIPPETS = {
    "s3://bucket/topic.yaml": (
        "Type: AWS::SNS::Topic\nProperties: {TopicName: !Ref AWS::StackName}\n"
    ),
    "s3://bucket/more.json": '{"Extra": {"Type": "AWS::SQS::Queue"}}',
    "s3://bucket/outputs.yaml": "Outputs:\n  Out: {Value: x}\n",
}


def read(location: str) -> str:
    if location not in SNIPPETS:
        raise TemplateError(f"S3 bucket [{location.split('/')[2]}] does not exist.")
    return SNIPPETS[location]


def include(location: str) -> dict:
    return {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": location}}}


def test_include_replaces_a_value_and_merges_into_a_mapping() -> None:
    template = {
        "Resources": {
            "Topic": include("s3://bucket/topic.yaml"),
            **include("s3://bucket/more.json"),
        }
    }
    resources = processed(template, read)["Resources"]
    assert resources["Topic"] == {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": {"Ref": "AWS::StackName"}},
    }
    assert resources["Extra"] == {"Type": "AWS::SQS::Queue"}


def test_include_at_the_top_of_the_template() -> None:
    template = {
        "Transform": {
            "Name": "AWS::Include",
            "Parameters": {"Location": "s3://bucket/outputs.yaml"},
        },
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
    }
    assert processed(template, read)["Outputs"] == {"Out": {"Value": "x"}}


def test_include_failures() -> None:
    with pytest.raises(TemplateError) as caught:
        processed({"Resources": {"T": include("s3://doesnotexist/x.yaml")}}, read)
    assert caught.value.message == (
        "Transform AWS::Include failed with: S3 bucket [doesnotexist] does not exist."
    )
    with pytest.raises(TemplateError, match="not a valid S3 uri"):
        processed({"Resources": {"T": include("https://example.com/x")}}, read)


def test_an_unknown_transform_is_a_macro_overcast_lacks() -> None:
    with pytest.raises(TemplateError) as caught:
        processed({"Transform": "MyMacro", "Resources": {"T": {"Type": "AWS::SNS::Topic"}}})
    assert caught.value.message == "No transform named 123456789012::MyMacro found."


def test_transform_leaves_the_original_alone() -> None:
    template = load(FOR_EACH)
    processed(template, Names=["A"], Env="dev")
    assert "Fn::ForEach::Topics" in template["Resources"]


def test_summary_of_a_plain_template() -> None:
    template = load(
        """
AWSTemplateFormatVersion: '2010-09-09'
Description: queues
Metadata: {Owner: team}
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod], Description: stage}
  Secret: {Type: String, NoEcho: true}
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Role:
    Type: AWS::IAM::Role
    Properties: {RoleName: named, AssumeRolePolicyDocument: {}}
"""
    )
    assert summary(template) == {
        "Parameters": [
            {
                "ParameterKey": "Env",
                "DefaultValue": "dev",
                "ParameterType": "String",
                "NoEcho": False,
                "Description": "stage",
                "ParameterConstraints": {"AllowedValues": ["dev", "prod"]},
            },
            {
                "ParameterKey": "Secret",
                "ParameterType": "String",
                "NoEcho": True,
                "ParameterConstraints": {},
            },
        ],
        "Description": "queues",
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "CapabilitiesReason": "The following resource(s) require capabilities: [AWS::IAM::Role]",
        "ResourceTypes": ["AWS::SQS::Queue", "AWS::IAM::Role"],
        "Version": "2010-09-09",
        "Metadata": '{"Owner": "team"}',
    }


def test_capabilities() -> None:
    unnamed = {"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p"}}}}
    assert summary(unnamed)["Capabilities"] == ["CAPABILITY_IAM"]
    plain = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    assert "Capabilities" not in summary(plain)
    assert required_capabilities(plain, plain) == []
    sam = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {}}
    assert required_capabilities(sam, unnamed) == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ({}, "Template format error: At least one Resources member must be defined."),
        (
            {"Resources": {}},
            "Template format error: At least one Resources member must be defined.",
        ),
        (
            {"Resources": {"A": {"Properties": {}}}},
            "Template format error: [/Resources/A] Every Resources object must contain a Type "
            "member.",
        ),
        (
            {"Resources": {"A": {"Type": "AWS::SNS::Topic", "Invalid": 10}}},
            "Invalid template resource property 'Invalid'",
        ),
        (
            {"Resources": {"A": {"Type": "AWS::SNS::Topic", "Version": "1.0"}}},
            "Invalid template resource property 'Version'",
        ),
        (
            {"Resources": {"A": "topic"}},
            "Template format error: Any Resources member must be an object.",
        ),
        (
            {"Resources": {"AWS::NoValue": {"Type": "X"}}},
            "Template format error: Resource name AWS::NoValue is non alphanumeric.",
        ),
        (
            {"Resources": {"A": {"Type": "X"}}, "Outputs": {"O": {}}},
            "Template format error: Every Outputs member must contain a Value object",
        ),
        (
            {"Resources": {"A": {"Type": "X"}}, "Outputs": {"MyOutput": {"Value": None}}},
            "[/Outputs/MyOutput/Value] 'null' values are not allowed in templates",
        ),
        (
            {"Resources": {"A": {"Type": "X"}}, "Mappings": {"A": "x"}},
            "Template format error: Every Mappings member A must be a map",
        ),
        (
            {"Resources": {"A": {"Type": "X"}}, "Mappings": {"M": {"k": {"v": {"deep": 1}}}}},
            "Template format error: Every Mappings attribute must be a String or a List.",
        ),
        (
            {"Resources": {"A": {"Type": "X"}}, "Extra": 1},
            "Template format error: Invalid template property or properties [Extra]",
        ),
    ],
)
def test_structure(template: dict, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        check(template)
    assert caught.value.message == message


def test_a_custom_resource_may_carry_a_version() -> None:
    for kind in ("Custom::S3", "AWS::CloudFormation::CustomResource"):
        check({"Resources": {"A": {"Type": kind, "Version": "1.0", "Properties": {}}}})
