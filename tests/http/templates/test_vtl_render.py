"""render(): the overrides a template sets, its variables' isolation, and its limits."""

from __future__ import annotations

import pytest
from vtl_support import vtl

from overcast.http.templates import Rendered, TemplateError, TemplateInput, render


def test_overrides_set_by_a_template() -> None:
    template = """#set($context.responseOverride.status = 201)
#set($context.responseOverride.header.X-Answer = "yes")
#set($context.requestOverride.header.X-Multi = ["1", "2"])
#set($context.requestOverride.querystring.page = 2)
#set($context.requestOverride.path.id = "p")
ok"""
    rendered = render(template, TemplateInput(b""))
    assert rendered == Rendered(
        "ok",
        {
            "status": 201,
            "header": {"X-Multi": ["1", "2"], "X-Answer": "yes"},
            "querystring": {"page": "2"},
            "path": {"id": "p"},
        },
    )


def test_no_overrides() -> None:
    rendered = render("x", TemplateInput(b""))
    assert rendered.overrides == {"header": {}, "querystring": {}, "path": {}}


def test_the_status_from_the_payload() -> None:
    # The usual response template: the function's answer decides the status.
    template = (
        "#set($context.responseOverride.status = $input.path('$.statusCode'))$input.json('$.body')"
    )
    rendered = render(template, TemplateInput(b'{"statusCode": 404, "body": {"m": "no"}}'))
    assert (rendered.text, rendered.overrides["status"]) == ('{"m":"no"}', 404)
    with pytest.raises(TemplateError, match="no status code"):
        render(template, TemplateInput(b'{"statusCode": "teapot"}'))


def test_overrides_already_in_the_context_are_read_and_kept() -> None:
    context = {"requestOverride": {"header": {"A": "1"}}}
    rendered = render("$context.requestOverride.header.A", TemplateInput(b"", context=context))
    assert rendered.text == "1"
    assert rendered.overrides["header"] == {"A": "1"}


def test_the_caller_s_values_are_not_changed() -> None:
    context = {"identity": {"sourceIp": "1.2.3.4"}}
    params = {"path": {"id": "1"}}
    stage_variables = {"v": "1"}
    template = (
        '#set($context.identity.sourceIp = "x")#set($d = $stageVariables.put("v", "2"))'
        '#set($d = $input.params().path.put("id", "2"))$input.params("id")'
    )
    assert vtl(template, b"", params, context, stage_variables) == "1"
    assert context == {"identity": {"sourceIp": "1.2.3.4"}}
    assert stage_variables == {"v": "1"} and params == {"path": {"id": "1"}}


def test_parameters_must_be_strings() -> None:
    with pytest.raises(TemplateError):
        render("x", TemplateInput(b"", params={"header": {"a": ["1"]}}))


@pytest.mark.parametrize(
    "template",
    [
        "#foreach($i in [1..1000000])#end",  # a range past the item limit
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end",
        '#set($s = "ab")#foreach($i in [1..40])#set($s = "$s$s")#end',  # a string doubling
        '#set($s = "ab")#foreach($i in [1..40])#set($s = $s.concat($s))#end',
        '#set($s = "ab")#foreach($i in [1..40])#set($s = $s + $s)#end$s.length()',
        "#set($l = [1])#foreach($i in [1..40])#set($d = $l.addAll($l))#end",
        "#set($n = 2)#foreach($i in [1..40])#set($n = $n * $n)#end",
        "#define($a)$a#end$a",  # a block that writes itself
        "#set($l = [])#set($d = $l.add($l))$l",  # a list that holds itself
        "#foreach($i in [1..10000])$input.body#end",  # output past 10 MB
    ],
)
def test_hostile_templates_stop_at_a_limit(template: str) -> None:
    with pytest.raises(TemplateError):
        vtl(template, body=b"x" * 2000)


def test_a_deeply_nested_payload_fails_the_template_that_reads_it_never_the_server() -> None:
    for depth in (500, 100_000):
        deep = b"[" * depth + b"]" * depth
        assert vtl("$input.body.length()", body=deep) == str(2 * depth)
        with pytest.raises(TemplateError, match="nested too deeply"):
            vtl("$input.path('$')", body=deep)
    nested = b"[" * 150 + b"]" * 150
    assert vtl("$input.path('$[0][0][0]').size()", body=nested) == "1"


def test_a_lone_surrogate_is_written_as_a_question_mark() -> None:
    assert vtl("$input.path('$.s')", body=b'{"s": "a\\ud800b"}') == "a?b"


def test_template_text_is_hostile_too() -> None:
    with pytest.raises(TemplateError):
        vtl("#set($x = " * 10_000)
    with pytest.raises(TemplateError, match="too large"):
        vtl("x" * (2 * 1024 * 1024))


def test_strings_built_in_a_loop_do_not_count_as_output() -> None:
    # 3000 turns copy ~90 MB of text in all, far below the step budget, while the output
    # limit (10 MB) applies to what is written out only.
    template = (
        '#set($s = "")#foreach($i in [1..3000])#set($s = "$s,item-${i}-xxxxxxxxxxxxxxxxx")#end'
        "$s.length()"
    )
    assert vtl(template) == str(sum(len(f",item-{i}-" + "x" * 17) for i in range(1, 3001)))
