"""Resolving a project's variables, with fake sources (no server, no files)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from overcast.deploy.serverless.model import TranslationError
from overcast.deploy.serverless.variables import VariableSources, resolve


def sources(**fields: Any) -> VariableSources:
    return VariableSources(root=Path("/nonexistent"), **fields)


def test_self_reads_keys_in_any_order_and_a_whole_value_keeps_its_type() -> None:
    config = {
        "service": "notes",
        "provider": {"memorySize": "${self:custom.sizes.1.mem}", "env": "${self:custom.env}"},
        "custom": {"sizes": [{"mem": 128}, {"mem": 512}], "env": {"A": "${self:service}"}},
    }
    resolved = resolve(config, sources())
    assert resolved["provider"] == {"memorySize": 512, "env": {"A": "notes"}}


def test_variables_inside_a_string_are_written_in_as_text() -> None:
    config = {
        "custom": {"n": 5, "on": True, "f": 1.0, "list": ["a", "b"]},
        "x": "q-${self:custom.n}-${self:custom.on}-${self:custom.f}-${self:custom.list}",
    }
    assert resolve(config, sources())["x"] == "q-5-true-1-a,b"


def test_a_mapping_inside_a_string_is_refused_naming_the_key() -> None:
    config = {
        "custom": {"m": {"a": 1}},
        "functions": {"f": {"events": [{"x": "a${self:custom.m}"}]}},
    }
    with pytest.raises(TranslationError, match=r"^functions\.f\.events\[0\]\.x: .*not a string"):
        resolve(config, sources())


def test_the_input_is_left_as_it_was() -> None:
    config = {"service": "s", "a": "${self:service}"}
    before = copy.deepcopy(config)
    resolve(config, sources())
    assert config == before


@pytest.mark.parametrize(
    ("options", "provider_stage", "expected"),
    [
        ({"stage": "prod"}, "${opt:stage, 'qa'}", "prod"),
        ({}, "${env:STAGE, 'qa'}", "qa"),
        ({}, None, "dev"),
    ],
)
def test_sls_stage_is_the_option_else_provider_stage_else_dev(
    options: dict[str, str], provider_stage: str | None, expected: str
) -> None:
    provider = {"stage": provider_stage} if provider_stage else {}
    config = {"provider": provider, "name": "${self:service, 'svc'}-${sls:stage}"}
    assert resolve(config, sources(options=options))["name"] == f"svc-{expected}"


def test_fallbacks_are_tried_in_order_and_may_be_variables() -> None:
    config = {
        "a": "${env:A, ${env:B, 'x'}}",
        "n": "${opt:count, 7}",
        "b": "${env:NONE, true}",
        "z": "${env:NONE, null}",
        "d": '${env:NONE, "dq"}',
        "s": "${opt:nope, self:custom.v}",
        "custom": {"v": "from-self"},
    }
    assert resolve(config, sources(env={"B": "bee"})) | {"custom": None} == {
        "a": "bee",
        "n": 7,
        "b": True,
        "z": None,
        "d": "dq",
        "s": "from-self",
        "custom": None,
    }
    assert resolve({"a": config["a"]}, sources(env={"A": ""}))["a"] == ""  # "" is a value


def test_a_variable_inside_a_variable_is_resolved_first() -> None:
    config = {
        "provider": {"stage": "prod"},
        "custom": {"prod": {"mem": 1024}, "dev": {"mem": 128}},
        "mem": "${self:custom.${sls:stage}.mem}",
    }
    assert resolve(config, sources())["mem"] == 1024


def test_a_value_holding_variables_has_them_resolved() -> None:
    config = {"service": "notes", "t": "${env:TABLE}"}
    assert resolve(config, sources(env={"TABLE": "${self:service}-table"}))["t"] == "notes-table"


def test_cloudformation_intrinsics_and_sub_placeholders_are_left_alone() -> None:
    config = {
        "service": "notes",
        "resources": {
            "Resources": {
                "Q": {
                    "Properties": {
                        "Arn": {"Fn::GetAtt": ["Queue", "Arn"]},
                        "Name": {"Fn::Sub": "${AWS::StackName}-${Queue.Arn}-${self:service}"},
                        "Ref": {"Ref": "AWS::Region"},
                    }
                }
            }
        },
    }
    props = resolve(config, sources())["resources"]["Resources"]["Q"]["Properties"]
    assert props == {
        "Arn": {"Fn::GetAtt": ["Queue", "Arn"]},
        "Name": {"Fn::Sub": "${AWS::StackName}-${Queue.Arn}-notes"},
        "Ref": {"Ref": "AWS::Region"},
    }


def test_aws_region_and_account_id_asked_once_and_only_when_named() -> None:
    asked: list[int] = []

    def account() -> str:
        asked.append(1)
        return "123456789012"

    config = {
        "provider": {"region": "eu-west-1"},
        "a": "arn:aws:sqs:${aws:region}:${aws:accountId}:q",
    }
    config["b"] = "${aws:accountId}"
    resolved = resolve(config, sources(account_id=account))
    assert resolved["a"] == "arn:aws:sqs:eu-west-1:123456789012:q"
    assert asked == [1]
    resolve({"a": "${aws:region}"}, sources(account_id=account))
    assert asked == [1]
    assert resolve({"a": "${aws:region}"}, sources(options={"region": "ap-south-1"}))["a"] == (
        "ap-south-1"
    )
    assert resolve({"a": "${aws:region}-${aws:partition}"}, sources())["a"] == "us-east-1-aws"


def test_cf_reads_a_stack_output_in_a_region_and_falls_back_when_missing() -> None:
    outputs = {
        ("base", "QueueUrl", None): "http://q",
        ("base", "QueueUrl", "eu-west-1"): "http://eu",
    }

    def stack_output(stack: str, key: str, region: str | None) -> Any:
        return outputs.get((stack, key, region))

    config = {
        "a": "${cf:base.QueueUrl}",
        "b": "${cf(eu-west-1):base.QueueUrl}",
        "c": "${cf:x.Y, 'none'}",
    }
    assert resolve(config, sources(stack_output=stack_output)) == {
        "a": "http://q",
        "b": "http://eu",
        "c": "none",
    }


def test_a_source_that_fails_is_an_error_naming_the_key() -> None:
    def stack_output(stack: str, key: str, region: str | None) -> Any:
        raise RuntimeError("connection refused")

    with pytest.raises(TranslationError, match=r"^custom\.a: \$\{cf:s\.O\}: .*connection refused"):
        resolve({"custom": {"a": "${cf:s.O}"}}, sources(stack_output=stack_output))


def test_ssm_passes_decrypt_and_region_and_reads_parameter_types() -> None:
    calls: list[tuple[str, bool, str | None]] = []
    params = {
        "/list": {"Type": "StringList", "Value": "a,b"},
        "/secret": {"Type": "SecureString", "Value": '{"k": 1}'},
        "/plain": "text",
    }

    def ssm(name: str, decrypt: bool, region: str | None = None) -> Any:
        calls.append((name, decrypt, region))
        return params.get(name)

    config = {
        "list": "${ssm:/list}",
        "raw": "${ssm(raw):/list}",
        "secret": "${ssm:/secret~true}",
        "plain": "${ssm(eu-west-1, noDecrypt):/plain}",
        "none": "${ssm:/missing, 'd'}",
    }
    assert resolve(config, sources(ssm_parameter=ssm, ssm_parameter_in=ssm)) == {
        "list": ["a", "b"],
        "raw": "a,b",
        "secret": {"k": 1},
        "plain": "text",
        "none": "d",
    }
    assert ("/plain", False, "eu-west-1") in calls and ("/secret", True, None) in calls
    with pytest.raises(TranslationError, match=r"^p: .*another region cannot be read here"):
        resolve({"p": "${ssm(eu-west-1):/plain}"}, sources(ssm_parameter=ssm))


def test_params_come_from_the_cli_then_the_stage_then_default() -> None:
    config = {
        "provider": {"stage": "prod"},
        "params": {"default": {"a": "def", "b": "def", "c": "def"}, "prod": {"b": "prod"}},
        "stages": {"prod": {"params": {"c": "stages-prod"}}},
        "x": "${param:a} ${param:b} ${param:c} ${param:d}",
    }
    resolved = resolve(config, sources(params={"d": "cli"}))
    assert resolved["x"] == "def prod stages-prod cli"


def test_sls_instance_id_and_str_to_bool() -> None:
    config = {"i": "${sls:instanceId}", "t": "${strToBool(${env:FLAG})}", "f": "${strToBool(0)}"}
    assert resolve(config, sources(instance_id="42", env={"FLAG": "True"})) == {
        "i": "42",
        "t": True,
        "f": False,
    }


def test_a_missing_value_without_fallback_is_the_frameworks_error() -> None:
    config = {"functions": {"f": {"environment": {"X": "${env:NOPE}"}}}}
    with pytest.raises(TranslationError) as caught:
        resolve(config, sources())
    assert str(caught.value).startswith(
        "Cannot resolve '${env:NOPE}' variable at 'functions.f.environment.X'. No value"
    )


def test_an_unknown_source_is_named_and_a_framework_only_one_said_so() -> None:
    with pytest.raises(
        TranslationError, match='^a: Unrecognized configuration variable sources: "foo"'
    ):
        resolve({"a": "${foo:bar}"}, sources())
    with pytest.raises(
        TranslationError, match='"git" variable source .* not supported by Overcast'
    ):
        resolve({"a": "${git:branch}"}, sources())


def test_a_cycle_among_keys_is_an_error_naming_it() -> None:
    config = {"custom": {"a": "${self:custom.b}", "b": "x-${self:custom.a}"}}
    with pytest.raises(
        TranslationError, match=r"Cyclic reference found: custom\.a .* -> custom\.b .* -> custom\.a"
    ):
        resolve(config, sources())
    with pytest.raises(TranslationError, match="Cyclic reference found"):
        resolve({"custom": {"a": {"b": "${self:custom.a}"}}}, sources())


def test_a_value_that_keeps_resolving_to_variables_is_stopped() -> None:
    with pytest.raises(TranslationError, match=r"^a: .*still resolve to variables"):
        resolve({"a": "${env:A}"}, sources(env={"A": "${env:A}"}))


def test_a_bare_word_fallback_names_the_key_and_the_fix() -> None:
    with pytest.raises(TranslationError, match=r"^provider\.stage: invalid fallback dev .*'dev'"):
        resolve({"provider": {"stage": "${opt:stage, dev}"}}, sources())


def test_variables_nested_too_deep_are_refused_not_recursed() -> None:
    deep = "${env:A, " * 50 + "'x'" + "}" * 50
    with pytest.raises(TranslationError, match=r"^a\.b: variables nested more than \d+ deep"):
        resolve({"a": {"b": deep}}, sources())


def test_keys_doubling_each_other_are_bounded() -> None:
    config: dict[str, Any] = {"k0": "x" * 1000}
    for n in range(1, 20):
        config[f"k{n}"] = f"${{self:k{n - 1}}}${{self:k{n - 1}}}"
    with pytest.raises(TranslationError, match="more than 1000000 characters"):
        resolve(config, sources())
