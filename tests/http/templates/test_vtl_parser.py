"""The template syntax: text, references, directives, comments, escapes and whitespace."""

from __future__ import annotations

import pytest
from vtl_support import vtl

from overcast.http.templates import TemplateError


def test_text_without_references_is_kept_as_it_is() -> None:
    assert vtl('{"a": 1, "b": "#x", "c": "$", "d": "$.x", "e": "50$"}') == (
        '{"a": 1, "b": "#x", "c": "$", "d": "$.x", "e": "50$"}'
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("$v", "1"),
        ("${v}", "1"),
        ("$!v", "1"),
        ("$!{v}", "1"),
        ("${v}x", "1x"),
        ("$v.", "1."),
        ("[$nothing][$!nothing][${nothing}]", "[][][]"),
        ("$m.k $m['k'] ${m.k}", "val val val"),
    ],
)
def test_references(template: str, expected: str) -> None:
    out = vtl('#set($v = 1)#set($m = {"k": "val"})' + template)
    assert out == expected


def test_a_hyphen_belongs_to_the_name_as_in_velocity_1_7() -> None:
    # `$a-b` is one (undefined) reference in Velocity 1.7, which API Gateway runs.
    assert vtl('#set($a = "x")[$a-b][${a}-b]') == "[][x-b]"


def test_comments_write_nothing() -> None:
    assert vtl("a## a line comment\nb#* a\nblock *#c") == "abc"


def test_unparsed_content_is_written_as_it_is() -> None:
    assert vtl("#[[ $not #if(x) ]]#") == " $not #if(x) "


def test_escapes() -> None:
    template = '#set($s = "v")\\$s \\\\$s \\#if(x) \\x'
    assert vtl(template) == "$s \\v #if(x) \\x"


def test_a_line_holding_only_a_directive_leaves_nothing() -> None:
    template = (
        "{\n  #set($x = [1, 2])\n  #foreach($i in $x)\n"
        '  "k$i": $i#if($foreach.hasNext),#end\n  #end\n}\n'
    )
    assert vtl(template) == '{\n  "k1": 1,\n  "k2": 2\n}\n'


def test_a_directive_inside_a_line_keeps_the_line() -> None:
    assert vtl("a #if(true)b#end c\nd") == "a b c\nd"


def test_braced_directives() -> None:
    assert vtl("#{if}(false)a#{elseif}(true)b#{else}c#{end}") == "b"


def test_directive_arguments_may_span_lines_and_have_spaces() -> None:
    assert vtl("#if ( 1 ==\n 1 )yes#end") == "yes"


def test_word_operators() -> None:
    template = (
        "#if(1 eq 1 and not false or false)t#end"
        "#if(2 gt 1 && 1 lt 2 && 1 le 1 && 1 ge 1 && 1 ne 2)u#end"
    )
    assert vtl(template) == "tu"


def test_a_double_quoted_string_is_interpolated_a_single_quoted_one_is_not() -> None:
    assert vtl("#set($a = 'x')#set($b = \"<$a>\")#set($c = '<$a>')$b $c") == "<x> <$a>"


def test_a_backslash_in_a_string_is_kept() -> None:
    # Velocity does not unescape string literals: "\\'" stays two backslashes, which the regex
    # reads as one backslash then a quote (AWS's own advice for escapeJavaScript's output).
    template = r"""#set($s = "it\'s")$s $s.replaceAll("\\'", "'")"""
    assert vtl(template) == "it\\'s it's"


@pytest.mark.parametrize(
    "template",
    [
        "#if(true)no end",
        "#end",
        "#else",
        "#if(true)a#else b#else c#end",
        "#set($a = )",
        "#set(a = 1)",
        "#set($a.size() = 1)",
        "#foreach($a on $b)#end",
        "#if(1 +)x#end",
        '#set($a = "unterminated)',
        "#* no end",
        "#[[ no end",
        "#include('x')",
        "#parse('x')",
        "#macro(m)x#end",
        "#evaluate('x')",
    ],
)
def test_broken_templates_are_refused(template: str) -> None:
    with pytest.raises(TemplateError):
        vtl(template)


def test_the_error_says_where() -> None:
    with pytest.raises(TemplateError, match="line 2, column"):
        vtl("ok\n#if($a")


def test_nesting_is_limited_not_recursed() -> None:
    with pytest.raises(TemplateError, match="nested too deeply"):
        vtl("#if(true)" * 1000 + "#end" * 1000)
    with pytest.raises(TemplateError, match="nested too deeply"):
        vtl("#set($a = " + "(" * 5000 + "1" + ")" * 5000 + ")")
    with pytest.raises(TemplateError, match="nested too deeply"):
        vtl("$a.b(" * 200 + ")" * 200)
