"""The Resolver: every intrinsic function and pseudo parameter, evaluated as CloudFormation
evaluates them, and refused in its words when malformed."""

from __future__ import annotations

import base64
import json

import pytest

from overcast.services.cloudformation.template import NO_VALUE, Pseudo, Resolver, TemplateError

PSEUDO = Pseudo(
    region="eu-west-1",
    account_id="123456789012",
    stack_name="shop",
    stack_id="arn:aws:cloudformation:eu-west-1:123456789012:stack/shop/1f2e",
    notification_arns=("arn:aws:sns:eu-west-1:123456789012:events",),
)
MAPPINGS = {"Sizes": {"prod": {"Memory": "1024", "Zones": ["a", "b"]}, "dev": {"Memory": "128"}}}
RESOURCES = {"Queue": "https://sqs/queue", "Table": "orders"}
ATTRIBUTES = {
    ("Queue", "Arn"): "arn:aws:sqs:eu-west-1:123456789012:queue",
    ("Db", "Endpoint.Address"): "db.local",
}
EXPORTS = {"shared-vpc": "vpc-123", "prod-subnets": "subnet-1"}


def resolver(**parameters: object) -> Resolver:
    return Resolver(
        {"Env": "prod", "Names": ["a", "b", "c"], "Count": "3", **parameters},
        {"IsProd": True, "IsDev": False},
        MAPPINGS,
        PSEUDO,
        refs=lambda name: RESOURCES[name],
        attributes=lambda name, attribute: ATTRIBUTES[(name, attribute)],
        exports=EXPORTS.get,
    )


def resolve(value: object) -> object:
    return resolver().resolve(value)


def refused(value: object) -> str:
    with pytest.raises(TemplateError) as caught:
        resolve(value)
    return caught.value.message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AWS::Region", "eu-west-1"),
        ("AWS::AccountId", "123456789012"),
        ("AWS::StackName", "shop"),
        ("AWS::StackId", "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop/1f2e"),
        ("AWS::Partition", "aws"),
        ("AWS::URLSuffix", "amazonaws.com"),
        ("AWS::NotificationARNs", ["arn:aws:sns:eu-west-1:123456789012:events"]),
    ],
)
def test_each_pseudo_parameter(name: str, value: object) -> None:
    assert resolve({"Ref": name}) == value


def test_ref_of_a_parameter_a_list_parameter_and_a_resource() -> None:
    assert resolve({"Ref": "Env"}) == "prod"
    assert resolve({"Ref": "Names"}) == ["a", "b", "c"]
    assert resolve({"Ref": "Queue"}) == "https://sqs/queue"


def test_no_value_removes_the_property_and_the_list_item() -> None:
    value = {
        "Keep": "x",
        "Gone": {"Ref": "AWS::NoValue"},
        "List": ["a", {"Fn::If": ["IsDev", "b", {"Ref": "AWS::NoValue"}]}],
    }
    assert resolve(value) == {"Keep": "x", "List": ["a"]}
    assert resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_ref_must_name_a_string() -> None:
    assert (
        refused({"Ref": ["a"]})
        == "Template error: every Ref object must have a single String value."
    )


@pytest.mark.parametrize(
    "argument", [["Queue", "Arn"], "Queue.Arn", ["Queue", {"Fn::Join": ["", ["A", "rn"]]}]]
)
def test_get_att_in_each_form(argument: object) -> None:
    assert resolve({"Fn::GetAtt": argument}) == "arn:aws:sqs:eu-west-1:123456789012:queue"


def test_get_att_of_a_dotted_attribute() -> None:
    assert resolve({"Fn::GetAtt": "Db.Endpoint.Address"}) == "db.local"


@pytest.mark.parametrize("argument", [["Queue"], ["Queue", ""], ["", "Arn"], "Queue", 5])
def test_get_att_needs_two_non_empty_parameters(argument: object) -> None:
    assert refused({"Fn::GetAtt": argument}) == (
        "Template error: every Fn::GetAtt object requires two non-empty parameters, the "
        "resource name and the resource attribute"
    )


def test_sub_with_parameters_pseudo_parameters_resources_and_attributes() -> None:
    text = "${AWS::StackName}-${Env}-${Table}-${Queue.Arn}-${Count}"
    assert resolve({"Fn::Sub": text}) == (
        "shop-prod-orders-arn:aws:sqs:eu-west-1:123456789012:queue-3"
    )


def test_sub_with_a_variable_map_that_shadows_and_is_evaluated() -> None:
    value = {
        "Fn::Sub": [
            "${Env}/${Size}",
            {"Env": "local", "Size": {"Fn::FindInMap": ["Sizes", "prod", "Memory"]}},
        ]
    }
    assert resolve(value) == "local/1024"


def test_sub_escapes_a_literal_with_an_exclamation_mark() -> None:
    assert resolve({"Fn::Sub": "${!Literal}-${AWS::Region}"}) == "${Literal}-eu-west-1"


@pytest.mark.parametrize("argument", [["a", "b", "c"], [5], {"a": 1}, ["${A}", "not a map"]])
def test_sub_with_wrong_arguments(argument: object) -> None:
    assert refused({"Fn::Sub": argument}).startswith(
        "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments."
    )


def test_sub_variable_names_are_checked() -> None:
    assert refused({"Fn::Sub": "${not a name}"}) == (
        "Template error: variable names in Fn::Sub syntax must contain only alphanumeric "
        "characters, underscores, periods, and colons"
    )


def test_join_of_a_list_a_list_parameter_and_a_function() -> None:
    assert resolve({"Fn::Join": ["-", ["a", 1, True, {"Ref": "Env"}]]}) == "a-1-true-prod"
    assert resolve({"Fn::Join": [",", {"Ref": "Names"}]}) == "a,b,c"
    assert resolve({"Fn::Join": ["", {"Fn::GetAZs": ""}]}) == "eu-west-1aeu-west-1beu-west-1c"


@pytest.mark.parametrize("argument", [["-"], ["-", "not a list"], [1, ["a"]], ["-", [["nested"]]]])
def test_join_with_wrong_arguments(argument: object) -> None:
    assert refused({"Fn::Join": argument}).startswith(
        "Template error: every Fn::Join object requires two parameters, (1) a string delimiter"
    )


def test_select_by_number_or_numeric_string() -> None:
    assert resolve({"Fn::Select": [1, ["a", "b"]]}) == "b"
    assert resolve({"Fn::Select": ["0", {"Ref": "Names"}]}) == "a"
    assert resolve({"Fn::Select": [{"Ref": "Count"}, ["a", "b", "c", "d"]]}) == "d"


@pytest.mark.parametrize("argument", [[5, ["a"]], ["x", ["a"]], [0, "a"], [0], [-1, ["a"]]])
def test_select_out_of_range_or_malformed(argument: object) -> None:
    assert refused({"Fn::Select": argument}) == (
        "Template error: Fn::Select requires a list argument with two elements: an integer "
        "index and a list"
    )


def test_split() -> None:
    assert resolve({"Fn::Split": [",", "a,b,,c"]}) == ["a", "b", "", "c"]
    assert resolve({"Fn::Select": [2, {"Fn::Split": ["|", {"Fn::Sub": "x|${Env}|z"}]}]}) == "z"
    assert refused({"Fn::Split": [","]}).startswith(
        "Template error: every Fn::Split object requires two parameters, (1) a string delimiter"
    )


def test_if_chooses_by_condition() -> None:
    assert resolve({"Fn::If": ["IsProd", "big", "small"]}) == "big"
    assert resolve({"Fn::If": ["IsDev", "big", {"Ref": "Env"}]}) == "prod"


def test_if_with_an_unknown_condition() -> None:
    assert refused({"Fn::If": ["Missing", "a", "b"]}) == (
        "Template error: unresolved condition dependency Missing in Fn::If"
    )


def test_condition_functions() -> None:
    assert resolve({"Fn::Equals": [{"Ref": "Env"}, "prod"]}) is True
    assert resolve({"Fn::Equals": ["3", 3]}) is True  # compared as strings
    assert resolve({"Fn::Equals": ["true", True]}) is True
    assert resolve({"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["a", "a"]}]}) is True
    assert resolve({"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "IsProd"}]}) is True
    assert resolve({"Fn::Not": [{"Condition": "IsProd"}]}) is False


def test_condition_functions_with_wrong_arguments() -> None:
    assert refused({"Fn::Equals": ["a"]}) == (
        "Template error: every Fn::Equals object requires a list of 2 string parameters."
    )
    assert "Fn::And object requires a list of at least 2" in refused(
        {"Fn::And": [{"Condition": "IsProd"}]}
    )
    assert "Fn::Or object requires a list of at least 2" in refused({"Fn::Or": [True] * 11})
    assert "Fn::Not object requires a list of 1" in refused({"Fn::Not": []})


def test_find_in_map() -> None:
    assert resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]}) == "1024"
    assert resolve({"Fn::FindInMap": ["Sizes", "prod", "Zones"]}) == ["a", "b"]
    assert refused({"Fn::FindInMap": ["Sizes", "test", "Memory"]}) == (
        "Template error: Unable to get mapping for Sizes::test::Memory"
    )


def test_find_in_map_default_value_of_the_language_extensions() -> None:
    value = {"Fn::FindInMap": ["Sizes", "test", "Memory", {"DefaultValue": "256"}]}
    assert resolve(value) == "256"


def test_get_azs_of_the_stack_s_region_or_another() -> None:
    assert resolve({"Fn::GetAZs": ""}) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert resolve({"Fn::GetAZs": {"Ref": "AWS::Region"}})[0] == "eu-west-1a"
    assert resolve({"Fn::GetAZs": "us-east-2"})[2] == "us-east-2c"


def test_base64() -> None:
    assert resolve({"Fn::Base64": {"Fn::Sub": "#!/bin/sh\necho ${Env}"}}) == (
        base64.b64encode(b"#!/bin/sh\necho prod").decode()
    )


def test_cidr_for_ipv4_and_ipv6() -> None:
    assert resolve({"Fn::Cidr": ["10.0.0.0/16", 3, 8]}) == [
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.2.0/24",
    ]
    assert resolve({"Fn::Cidr": ["192.168.0.0/24", "2", "5"]}) == [
        "192.168.0.0/27",
        "192.168.0.32/27",
    ]
    assert resolve({"Fn::Cidr": ["2001:db8::/56", 2, 64]}) == ["2001:db8::/64", "2001:db8:0:1::/64"]


@pytest.mark.parametrize(
    "argument",
    [["10.0.0.0/24", 300, 8], ["10.0.0.0/24", 2, 9], ["nope", 1, 8], ["10.0.0.0/24", 2, 8]],
)
def test_cidr_that_cannot_be_cut(argument: object) -> None:
    assert refused({"Fn::Cidr": argument}).startswith("Template error: every Fn::Cidr object")


def test_import_value() -> None:
    assert resolve({"Fn::ImportValue": "shared-vpc"}) == "vpc-123"
    assert resolve({"Fn::ImportValue": {"Fn::Sub": "${Env}-subnets"}}) == "subnet-1"
    assert refused({"Fn::ImportValue": "nothing"}) == "No export named nothing found."


def test_length_and_to_json_string() -> None:
    assert resolve({"Fn::Length": {"Ref": "Names"}}) == 3
    assert resolve({"Fn::Length": ["a", {"Ref": "AWS::NoValue"}]}) == 1
    assert resolve({"Fn::ToJsonString": {"env": {"Ref": "Env"}, "n": [1, True]}}) == json.dumps(
        {"env": "prod", "n": [1, True]}, separators=(",", ":")
    )
    assert refused({"Fn::Length": "abc"}).startswith("Template error: Fn::Length")
    assert refused({"Fn::ToJsonString": "abc"}).startswith("Template error: Fn::ToJsonString")


def test_a_mapping_with_more_keys_is_data_not_a_function() -> None:
    value = {"Ref": "Env", "Other": 1}
    assert resolve(value) == value
    statement = {"Effect": "Allow", "Condition": {"StringEquals": {"k": "v"}}}
    assert resolve(statement) == statement
