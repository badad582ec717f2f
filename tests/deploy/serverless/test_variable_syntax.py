"""Reading `${...}` as the framework's placeholders.js does."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless import variable_syntax as syntax


def spans_of(text: str) -> list[str]:
    return [text[start:end] for start, end in syntax.placeholders(text)]


def test_variables_are_found_in_a_string_and_cloudformation_placeholders_are_not() -> None:
    text = "arn:${AWS::Partition}:sqs:${aws:region}:${Foo}:${Bar.Arn}:${!Lit}:${file(./x.yml)}"
    assert spans_of(text) == ["${aws:region}", "${file(./x.yml)}"]


def test_a_nested_variable_is_found_as_part_of_its_outer_one() -> None:
    assert spans_of("x-${self:custom.${opt:stage}.name}-y") == ["${self:custom.${opt:stage}.name}"]


def test_an_unclosed_variable_is_not_a_variable() -> None:
    assert spans_of("${self:service") == []


def test_fallbacks_read_literals_references_and_nested_variables() -> None:
    found = syntax.fallbacks(
        "${opt:stage, self:provider.stage, ${env:S, 'x'}, 'a,b', \"q\", 5, true, null}"
    )
    assert found == [
        syntax.Reference("opt:stage"),
        syntax.Reference("self:provider.stage"),
        syntax.Reference("${env:S, 'x'}", nested=True),
        syntax.Literal("a,b"),
        syntax.Literal("q"),
        syntax.Literal(5),
        syntax.Literal(True),
        syntax.Literal(None),
    ]


def test_an_unquoted_word_as_a_fallback_is_refused_with_the_fix() -> None:
    with pytest.raises(syntax.SyntaxProblem, match=r"quote a string \('dev'\)"):
        syntax.fallbacks("${opt:stage, dev}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("self:custom.a", syntax.Address("self", (), "custom.a")),
        ("file(./x.yml):a.b", syntax.Address("file", ("./x.yml",), "a.b")),
        ("file(./x.json)", syntax.Address("file", ("./x.json",), "")),
        ("cf:stack.Out", syntax.Address("cf", (), "stack.Out")),
        ("cf(eu-west-1):stack.Out", syntax.Address("cf", ("eu-west-1",), "stack.Out")),
        ("ssm(eu-west-1, raw):/a/b", syntax.Address("ssm", ("eu-west-1", "raw"), "/a/b")),
        ("ssm:/a/b", syntax.Address("ssm", (), "/a/b")),
        ("strToBool(true)", syntax.Address("strToBool", ("true",), "")),
    ],
)
def test_addresses_name_their_source_params_and_key(text: str, expected: syntax.Address) -> None:
    assert syntax.address(text, "${" + text + "}") == expected


def test_property_paths_take_dots_and_brackets() -> None:
    assert syntax.property_path("a.b[0].c") == ["a", "b", "0", "c"]
    assert syntax.property_path("a.1") == ["a", "1"]
