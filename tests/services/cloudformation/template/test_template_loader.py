"""Reading templates: YAML short forms and JSON to the long form, in CloudFormation's words when
the text is not a template."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation.errors import ValidationError
from overcast.services.cloudformation.template import TemplateError, load


@pytest.mark.parametrize(
    ("yaml_text", "long_form"),
    [
        ("!Ref Bucket", {"Ref": "Bucket"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Queue.Arn", {"Fn::GetAtt": ["Queue", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Queue, Arn]", {"Fn::GetAtt": ["Queue", "Arn"]}),
        ("!Sub 'arn:${AWS::Partition}:s3:::${B}'", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}"}),
        ("!Sub ['${A}-x', {A: !Ref P}]", {"Fn::Sub": ["${A}-x", {"A": {"Ref": "P"}}]}),
        ("!Join [',', [a, b]]", {"Fn::Join": [",", ["a", "b"]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!If [C, a, !Ref AWS::NoValue]", {"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]}),
        ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
        (
            "!And [!Condition A, !Condition B]",
            {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]},
        ),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
        ("!FindInMap [M, k, v]", {"Fn::FindInMap": ["M", "k", "v"]}),
        ("!Base64 text", {"Fn::Base64": "text"}),
        ("!Cidr [10.0.0.0/16, 2, 8]", {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}),
        ("!ImportValue Shared", {"Fn::ImportValue": "Shared"}),
        ("!Length [a, b]", {"Fn::Length": ["a", "b"]}),
        ("!ToJsonString {a: b}", {"Fn::ToJsonString": {"a": "b"}}),
        (
            "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
            {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
        ),
    ],
)
def test_each_short_form_is_read_as_its_long_form(yaml_text: str, long_form: dict) -> None:
    assert load(f"Value: {yaml_text}\n") == {"Value": long_form}


def test_nested_short_forms_inside_mappings_and_lists() -> None:
    template = load(
        "Resources:\n"
        "  Q:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      QueueName: !Join ['-', [!Ref AWS::StackName, !Select [1, !Split [',', 'a,b']]]]\n"
    )
    name = template["Resources"]["Q"]["Properties"]["QueueName"]
    assert name == {
        "Fn::Join": [
            "-",
            [{"Ref": "AWS::StackName"}, {"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]}],
        ]
    }


def test_the_format_version_stays_a_string_and_keys_are_strings() -> None:
    template = load("AWSTemplateFormatVersion: 2010-09-09\nMappings:\n  Ports:\n    80: {x: 1}\n")
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert list(template["Mappings"]["Ports"]) == ["80"]


def test_json_is_read_as_is() -> None:
    assert load('{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}') == {
        "Resources": {"A": {"Type": "AWS::SNS::Topic"}}
    }


def test_malformed_json_is_refused_with_cloudformation_s_position() -> None:
    # The message and column CloudFormation answered for this very text.
    with pytest.raises(TemplateError) as caught:
        load('{"this is invalid JSON"="bobbins"}')
    assert (
        caught.value.message == "Template format error: JSON not well-formed. (line 1, column 25)"
    )


def test_malformed_yaml_is_refused_with_its_position() -> None:
    text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
    text += "        Name: t\n      X: y\n"
    with pytest.raises(TemplateError) as caught:
        load(text)
    assert caught.value.message.startswith("Template format error: YAML not well-formed. (line ")


def test_yaml_aliases_are_refused() -> None:
    text = "A: &x {k: v}\nB: *x\n"
    with pytest.raises(TemplateError) as caught:
        load(text)
    assert caught.value.message == (
        "Template error: YAML aliases are not allowed in CloudFormation templates"
    )


def test_a_billion_laughs_is_refused_before_it_expands() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        previous, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}]")
    with pytest.raises(TemplateError, match="aliases"):
        load("\n".join(lines))


def test_an_anchor_without_alias_is_harmless() -> None:
    assert load("A: &x {k: v}\n") == {"A": {"k": "v"}}


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(TemplateError, match="YAML not well-formed"):
        load("Resources:\n  A: {Type: X}\n  A: {Type: Y}\n")


def test_unknown_tags_build_nothing() -> None:
    with pytest.raises(TemplateError, match="YAML not well-formed"):
        load("A: !!python/object/apply:os.system [true]\n")
    with pytest.raises(TemplateError, match="YAML not well-formed"):
        load("A: !Frobnicate x\n")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text", "42", '["a"]'])
def test_a_template_that_is_not_a_mapping_is_refused(text: str) -> None:
    with pytest.raises(TemplateError) as caught:
        load(text)
    assert caught.value.message.startswith("Template format error:")


@pytest.mark.parametrize(
    "text",
    [
        "A: " + "[" * 5000 + "]" * 5000,  # past the parser's own recursion
        '{"A": ' + '{"a": ' * 3000 + "1" + "}" * 3001,
        "A: " + "[" * 150 + "]" * 150,  # parsed fine, deeper than any template
        '{"A": ' + "[" * 150 + "]" * 150 + "}",
    ],
)
def test_deep_nesting_is_refused_not_a_crash(text: str) -> None:
    with pytest.raises(TemplateError) as caught:
        load(text)
    assert caught.value.message.startswith("Template format error:")


def test_template_errors_are_validation_errors_of_cloudformation() -> None:
    with pytest.raises(ValidationError) as caught:
        load("[")
    assert (caught.value.code, caught.value.status) == ("ValidationError", 400)
