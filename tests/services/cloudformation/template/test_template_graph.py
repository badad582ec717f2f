"""Conditions and the creation order: waves from Ref, GetAtt, Sub and DependsOn; unresolved
references and cycles refused as CloudFormation refuses them."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation.template import (
    Pseudo,
    TemplateError,
    conditions,
    load,
    order,
)

PSEUDO = Pseudo(
    "us-east-1", "123456789012", "s", "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1"
)


def topic(**properties: object) -> dict:
    return {"Type": "AWS::SNS::Topic", "Properties": properties}


def waves(resources: dict, **template: object) -> list[list[str]]:
    full = {"Resources": resources, **template}
    return order(full, set(resources))


def refused(resources: dict, active: set[str] | None = None, **template: object) -> str:
    with pytest.raises(TemplateError) as caught:
        order({"Resources": resources, **template}, set(resources) if active is None else active)
    return caught.value.message


def test_conditions_from_parameters_pseudo_parameters_mappings_and_each_other() -> None:
    template = load(
        """
Mappings:
  Tiers: {prod: {Big: 'yes'}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  InVirginia: !Equals [!Ref AWS::Region, us-east-1]
  Both: !And [!Condition IsProd, !Condition InVirginia]
  Big: !Equals [!FindInMap [Tiers, !Ref Env, Big], 'yes']
  Later: !Not [!Condition Earlier]
  Earlier: !Or [!Condition IsProd, !Equals [a, b]]
Resources:
  T: {Type: AWS::SNS::Topic}
"""
    )
    assert conditions(template, {"Env": "prod"}, PSEUDO) == {
        "IsProd": True,
        "InVirginia": True,
        "Both": True,
        "Big": True,
        "Later": False,
        "Earlier": True,
    }


def test_a_condition_cannot_name_a_resource() -> None:
    template = {
        "Conditions": {"C": {"Fn::Equals": [{"Ref": "T"}, "x"]}},
        "Resources": {"T": topic()},
    }
    with pytest.raises(TemplateError) as caught:
        conditions(template, {}, PSEUDO)
    assert caught.value.message == (
        "Template format error: Unresolved dependencies [T]. Cannot reference resources in the "
        "Conditions block of the template"
    )


def test_conditions_that_depend_on_each_other_are_refused() -> None:
    template = {
        "Conditions": {
            "A": {"Fn::Not": [{"Condition": "B"}]},
            "B": {"Fn::Not": [{"Condition": "A"}]},
        }
    }
    with pytest.raises(TemplateError, match="Circular dependency between conditions"):
        conditions(template, {}, PSEUDO)


def test_a_condition_must_be_boolean() -> None:
    with pytest.raises(TemplateError) as caught:
        conditions({"Conditions": {"C": {"Ref": "Env"}}}, {"Env": "prod"}, PSEUDO)
    assert caught.value.message == (
        "Template format error: Conditions can only be boolean operations on parameters and "
        "other conditions"
    )


def test_waves_follow_ref_get_att_sub_and_depends_on() -> None:
    resources = {
        "Api": topic(Name={"Fn::Sub": "${Function.Arn}-${AWS::Region}"}),
        "Role": topic(),
        "Function": topic(Role={"Fn::GetAtt": ["Role", "Arn"]}),
        "Table": topic(),
        "Alarm": {"Type": "AWS::SNS::Topic", "DependsOn": ["Api", "Table"]},
        "Log": {
            "Type": "AWS::SNS::Topic",
            "DependsOn": "Role",
            "Properties": {"X": {"Ref": "Env"}},
        },
    }
    assert waves(resources, Parameters={"Env": {"Type": "String"}}) == [
        ["Role", "Table"],
        ["Function", "Log"],
        ["Api"],
        ["Alarm"],
    ]


def test_sub_variables_of_its_own_map_are_no_dependency() -> None:
    resources = {"A": topic(N={"Fn::Sub": ["${Other}-${B.Arn}", {"Other": "x"}]}), "B": topic()}
    assert waves(resources) == [["B"], ["A"]]


def test_the_untaken_branch_of_an_if_is_no_dependency() -> None:
    resources = {
        "A": topic(N={"Fn::If": ["Off", {"Ref": "B"}, "none"]}),
        "B": {**topic(), "Condition": "Off"},
    }
    template = {"Resources": resources}
    assert order(template, {"A"}, {"Off": False}) == [["A"]]


def test_a_ref_to_a_resource_left_out_by_its_condition() -> None:
    resources = {"A": topic(N={"Ref": "B"}), "B": {**topic(), "Condition": "Off"}}
    assert refused(resources, {"A"}) == (
        "Template format error: Unresolved resource dependencies [B] in the Resources block of "
        "the template"
    )


def test_unresolved_refs_and_depends_on() -> None:
    assert refused({"A": topic(N={"Ref": "Nowhere"})}) == (
        "Template format error: Unresolved resource dependencies [Nowhere] in the Resources "
        "block of the template"
    )
    assert refused({"A": {"Type": "AWS::SNS::Topic", "DependsOn": "NonExistingResource"}}) == (
        "Template format error: Unresolved resource dependencies [NonExistingResource] in the "
        "Resources block of the template"
    )
    assert "Unresolved resource dependencies [Ghost]" in refused(
        {"A": topic(N={"Fn::Sub": "${Ghost}"})}
    )


def test_get_att_of_an_undefined_resource() -> None:
    assert refused({"A": topic(N={"Fn::GetAtt": ["MyLambda", "Arn"]})}) == (
        "Template error: instance of Fn::GetAtt references undefined resource MyLambda"
    )


def test_outputs_naming_a_resource_that_will_not_exist() -> None:
    resources = {"A": topic(), "MyTopic": {**topic(), "Condition": "Off"}}
    outputs = {"O": {"Value": {"Fn::GetAtt": ["MyTopic", "TopicName"]}}}
    assert refused(resources, {"A"}, Outputs=outputs) == (
        "Unresolved resource dependencies [MyTopic] in the Outputs block of the template"
    )
    conditional = {"O": {"Value": {"Ref": "MyTopic"}, "Condition": "Off"}}
    assert order({"Resources": resources, "Outputs": conditional}, {"A"}, {"Off": False}) == [["A"]]


def test_circular_dependencies() -> None:
    resources = {
        "SecurityGroupA": topic(Peer={"Ref": "SecurityGroupB"}),
        "SecurityGroupB": topic(Peer={"Fn::GetAtt": ["SecurityGroupA", "GroupId"]}),
        "Before": topic(),
        "After": topic(Needs={"Ref": "SecurityGroupA"}),
    }
    assert (
        refused(resources)
        == "Circular dependency between resources: [SecurityGroupA, SecurityGroupB]"
    )


def test_a_resource_that_depends_on_itself() -> None:
    assert refused({"A": {"Type": "AWS::SNS::Topic", "DependsOn": "A"}}) == (
        "Circular dependency between resources: [A]"
    )
