"""Parameters: values from the caller, previous values and defaults, every type and
constraint, in CloudFormation's words."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation.template import Parameters, TemplateError


def given(**values: str) -> list[dict]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def values(declared: dict, entries: list[dict] | None = None, **kwargs: object) -> dict:
    return Parameters.resolve(declared, entries or [], **kwargs).values


def refused(declared: dict, entries: list[dict] | None = None, **kwargs: object) -> str:
    with pytest.raises(TemplateError) as caught:
        Parameters.resolve(declared, entries or [], **kwargs)
    return caught.value.message


def test_given_values_then_defaults() -> None:
    declared = {"Env": {"Type": "String", "Default": "dev"}, "Name": {"Type": "String"}}
    assert values(declared, given(Name="shop")) == {"Env": "dev", "Name": "shop"}
    assert values(declared, given(Name="shop", Env="prod"))["Env"] == "prod"


def test_missing_values_are_named_together() -> None:
    declared = {
        "A": {"Type": "String"},
        "B": {"Type": "Number"},
        "C": {"Type": "String", "Default": ""},
    }
    assert refused(declared) == "Parameters: [A, B] must have values"


def test_unknown_keys_are_refused() -> None:
    assert refused({"A": {"Type": "String"}}, given(A="x", Z="y")) == (
        "Parameters: [Z] do not exist in the template"
    )
    assert refused({}, given(Z="y")) == (
        "Parameter values specified for a template which does not require them."
    )


def test_use_previous_value() -> None:
    declared = {"A": {"Type": "String"}}
    entry = [{"ParameterKey": "A", "UsePreviousValue": True}]
    assert values(declared, entry, previous={"A": "before"}) == {"A": "before"}
    assert (
        "Cannot specify usePreviousValue as true for a parameter key not in the previous"
        in refused(declared, entry, previous={})
    )
    both = [{"ParameterKey": "A", "ParameterValue": "x", "UsePreviousValue": True}]
    assert "Cannot specify usePreviousValue as true and non empty value" in refused(
        declared, both, previous={"A": "before"}
    )


def test_number_stays_a_string_and_must_be_a_number() -> None:
    declared = {"N": {"Type": "Number"}}
    assert values(declared, given(N="1.5")) == {"N": "1.5"}
    assert refused(declared, given(N="many")) == "Parameter 'N' must be a number."


def test_lists() -> None:
    declared = {
        "Ports": {"Type": "List<Number>"},
        "Names": {"Type": "CommaDelimitedList"},
        "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
        "Empty": {"Type": "CommaDelimitedList", "Default": ""},
    }
    result = values(declared, given(Ports="80, 443", Names="a , b,c", Subnets="subnet-1,subnet-2"))
    assert result == {
        "Ports": ["80", "443"],
        "Names": ["a", "b", "c"],  # each member is space trimmed
        "Subnets": ["subnet-1", "subnet-2"],
        "Empty": [],
    }
    assert refused(declared, given(Ports="80,http", Names="a", Subnets="s")) == (
        "Parameter 'Ports' must be a number list."
    )


@pytest.mark.parametrize(
    "kind",
    [
        "AWS::EC2::AvailabilityZone::Name",
        "AWS::EC2::Image::Id",
        "AWS::EC2::KeyPair::KeyName",
        "AWS::EC2::SecurityGroup::Id",
        "AWS::EC2::VPC::Id",
        "AWS::Route53::HostedZone::Id",
        "AWS::SSM::Parameter::Name",
    ],
)
def test_aws_specific_types_are_strings(kind: str) -> None:
    assert values({"P": {"Type": kind}}, given(P="id-1")) == {"P": "id-1"}


def test_ssm_parameter_value_types_read_ssm() -> None:
    store = {"/app/name": "shop", "/app/zones": "a,b"}
    declared = {
        "Name": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/name"},
        "Zones": {"Type": "AWS::SSM::Parameter::Value<List<String>>"},
    }
    resolved = Parameters.resolve(declared, given(Zones="/app/zones"), resolve_ssm=store.get)
    assert resolved.values == {"Name": "shop", "Zones": ["a", "b"]}
    assert resolved.given == {"Name": "/app/name", "Zones": "/app/zones"}
    assert resolved.resolved == {"Name": "shop", "Zones": "a,b"}
    assert refused(declared, given(Zones="/nope"), resolve_ssm=store.get) == (
        "Parameters: [/nope] cannot be found."
    )


def test_no_echo() -> None:
    declared = {"Secret": {"Type": "String", "NoEcho": True}, "Open": {"Type": "String"}}
    resolved = Parameters.resolve(declared, given(Secret="s", Open="o"))
    assert resolved.no_echo == frozenset({"Secret"})


@pytest.mark.parametrize(
    ("definition", "value", "message"),
    [
        ({"AllowedValues": ["a", "b"]}, "c", "Parameter 'P' must be one of AllowedValues"),
        ({"AllowedPattern": "[a-z]+"}, "abc1", "Parameter 'P' must match pattern [a-z]+"),
        ({"MinLength": 3}, "ab", "Parameter 'P' must contain at least 3 characters"),
        ({"MaxLength": "2"}, "abc", "Parameter 'P' must contain at most 2 characters"),
    ],
)
def test_string_constraints(definition: dict, value: str, message: str) -> None:
    declared = {"P": {"Type": "String", **definition}}
    assert refused(declared, given(P=value)) == message


@pytest.mark.parametrize(
    ("definition", "value"),
    [
        ({"AllowedValues": ["a", "b"]}, "b"),
        ({"AllowedPattern": "[a-z]+"}, "abc"),
        ({"MinLength": 3, "MaxLength": 3}, "abc"),
    ],
)
def test_string_constraints_met(definition: dict, value: str) -> None:
    assert values({"P": {"Type": "String", **definition}}, given(P=value)) == {"P": value}


@pytest.mark.parametrize(
    ("definition", "value", "message"),
    [
        ({"MinValue": 1}, "0", "Parameter 'P' must be a number not less than 1"),
        ({"MaxValue": "10"}, "10.5", "Parameter 'P' must be a number not greater than 10"),
        ({"AllowedValues": [1, 2]}, "3", "Parameter 'P' must be one of AllowedValues"),
    ],
)
def test_number_constraints(definition: dict, value: str, message: str) -> None:
    assert refused({"P": {"Type": "Number", **definition}}, given(P=value)) == message
    assert values({"P": {"Type": "Number", "MinValue": 1, "MaxValue": 10}}, given(P="10")) == {
        "P": "10"
    }


def test_constraints_apply_to_each_member_of_a_list_and_to_defaults() -> None:
    declared = {"L": {"Type": "CommaDelimitedList", "AllowedValues": ["a", "b"]}}
    assert values(declared, given(L="a,b")) == {"L": ["a", "b"]}
    assert refused(declared, given(L="a,c")) == "Parameter 'L' must be one of AllowedValues"
    naming = {"Naming": {"Type": "String", "Default": "aws-ab-", "MinLength": 12}}
    assert refused(naming) == "Parameter 'Naming' must contain at least 12 characters"


def test_constraint_description_replaces_the_reason() -> None:
    declared = {
        "CreateVPNEndpoint": {
            "Type": "String",
            "AllowedValues": ["true", "false"],
            "ConstraintDescription": "Must specify 'true' or 'false'",
        }
    }
    assert refused(declared, given(CreateVPNEndpoint="maybe")) == (
        "Parameter CreateVPNEndpoint failed to satisfy constraint: Must specify 'true' or 'false'"
    )


def test_yaml_booleans_in_allowed_values_and_defaults_are_their_text() -> None:
    declared = {"Flag": {"Type": "String", "AllowedValues": [True, False], "Default": False}}
    assert values(declared) == {"Flag": "false"}


def test_a_catastrophic_pattern_does_not_hang() -> None:
    declared = {"P": {"Type": "String", "AllowedPattern": "(a+)+$"}}
    assert refused(declared, given(P="a" * 40 + "!")) == "Parameter 'P' must match pattern (a+)+$"


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        (
            {"P": {"Default": "x"}},
            "Template format error: Every Parameters object must contain a Type member.",
        ),
        ({"P": {"Type": "Text"}}, "Template format error: Unrecognized parameter type: Text"),
        (
            {"P": {"Type": "String", "Secret": 1}},
            "Template format error: Invalid template parameter property 'Secret'",
        ),
        (
            {"P": {"Type": "String", "AllowedValues": "a"}},
            "Template format error: Every AllowedValues member must be a list.",
        ),
        (
            {"AWS::NoValue": {"Type": "String"}},
            "Template format error: Parameter name AWS::NoValue is non alphanumeric.",
        ),
    ],
)
def test_malformed_declarations(declared: dict, message: str) -> None:
    assert refused(declared) == message
