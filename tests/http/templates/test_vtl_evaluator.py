"""How templates run: #set, #if, #foreach, #break, #stop, #define, operators, values' text."""

from __future__ import annotations

import pytest
from vtl_support import vtl


def test_set_with_a_null_value_leaves_the_reference_as_it_was() -> None:
    # Velocity 1.x: "#set($a = $nothing)" keeps $a; a loop reading a missing key keeps the last.
    assert vtl('#set($a = "kept")#set($a = $nothing)$a') == "kept"


def test_set_into_a_map_and_a_list() -> None:
    template = '#set($m = {})#set($m.k = "v")#set($m["j"] = 2)#set($l = [0, 0])#set($l[1] = 9)$m $l'
    assert vtl(template) == "{k=v, j=2} [0, 9]"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("$nothing", "F"),
        ("false", "F"),
        ("true", "T"),
        ('""', "T"),  # Velocity 1.7: any non-null value but false is true
        ("[]", "T"),
        ("0", "T"),
        ("!$nothing", "T"),
        ("$nothing == $nothing2", "T"),
        ('$nothing == ""', "F"),
        ("1 == 1.0", "T"),
        ('1 == "1"', "T"),  # different kinds compare by their text (Velocity 1.7)
        ('true == "true"', "T"),
        ('"a" < "b"', "F"),  # only numbers are ordered
        ("2 > 1 && 1 >= 1 && 1 <= 1 && 0 < 1", "T"),
        ("false || $nothing", "F"),
    ],
)
def test_conditions(condition: str, expected: str) -> None:
    assert vtl(f"#if({condition})T#{{else}}F#end") == expected


def test_elseif_chain() -> None:
    template = "#foreach($n in [1, 2, 3])#if($n == 1)one#elseif($n == 2)two#else other#end;#end"
    assert vtl(template) == "one;two; other;"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("7 / 2", "3"),
        ("-7 / 2", "-3"),  # Java truncates toward zero
        ("-7 % 3", "-1"),  # the dividend's sign
        ("7.0 / 2", "3.5"),
        ("1 / 0", ""),  # null: Velocity logs and goes on
        ("2 * 3 + 1", "7"),
        ("2 * (3 + 1)", "8"),
        ("10 - 2 - 3", "5"),
        ('"a" + 1', "a1"),
        ('1 + "a"', "1a"),
        ("1 + $nothing", ""),
        ('"a" - 1', ""),
        ("-(2 + 1)", "-3"),
        ("0.1 + 0.2", "0.30000000000000004"),
        ("1.5 * 2", "3.0"),
    ],
)
def test_arithmetic(expression: str, expected: str) -> None:
    assert vtl(f"#set($r = {expression})$!r") == expected


def test_foreach_over_lists_maps_and_ranges() -> None:
    assert vtl("#foreach($i in [3..1])$i#end") == "321"
    assert vtl('#foreach($v in {"a": 1, "b": 2})$v#end') == "12"  # a map's values
    assert vtl("#set($n = 2)#foreach($i in [0..$n])$i#end") == "012"
    assert vtl("#foreach($i in $nothing)x#end#foreach($c in 'abc')x#end") == ""


def test_foreach_scope_variables() -> None:
    template = (
        "#foreach($i in ['a', 'b', 'c'])"
        "$foreach.index$foreach.count$foreach.hasNext()$foreach.first$foreach.last"
        "$velocityCount$velocityHasNext;#end"
    )
    assert vtl(template) == ("01truetruefalse1true;12truefalsefalse2true;23falsefalsetrue3false;")


def test_nested_loops_see_their_parent() -> None:
    template = (
        "#foreach($a in [1, 2])#foreach($b in [1])$foreach.parent.index$foreach.index#end#end"
    )
    assert vtl(template) == "0010"


def test_the_loop_variable_is_restored_after_the_loop() -> None:
    assert vtl("#set($i = 'outer')#foreach($i in [1, 2])#end$i") == "outer"
    assert vtl("#foreach($i in [1])#end[$!i][$!foreach]") == "[][]"


def test_the_body_may_change_the_list_it_walks() -> None:
    assert vtl("#set($l = [1, 2])#foreach($i in $l)#set($d = $l.add($i))#end$l") == "[1, 2, 1, 2]"


def test_break_leaves_the_innermost_loop() -> None:
    template = "#foreach($a in [1, 2])#foreach($b in [1, 2, 3])#if($b == 2)#break#end$a$b #end#end"
    assert vtl(template) == "11 21 "
    assert vtl("#foreach($a in [1, 2])$a#break($foreach)#end") == "1"


def test_stop_ends_the_template_keeping_what_was_written() -> None:
    assert vtl("a#foreach($i in [1, 2])$i#stop#end b") == "a1"
    assert vtl("a#break b") == "a"  # outside a loop, #break leaves the template


def test_define_renders_with_the_variables_of_the_moment() -> None:
    template = (
        '#define($loop){#foreach($k in $map.keySet())"$k": "$map.get($k)"'
        "#if($foreach.hasNext), #end#end}#end"
        '#set($map = {"a": 1})$loop #set($map = {"b": 2, "c": 3})$loop'
    )
    assert vtl(template) == '{"a": "1"} {"b": "2", "c": "3"}'


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("#set($x = true)$x", "true"),
        ("#set($x = 1.0)$x", "1.0"),
        ("#set($x = 0.00001)$x", "1.0E-5"),
        ("#set($x = 12345678.5)$x", "1.23456785E7"),
        ('#set($x = [1, "a", true, [2]])$x', "[1, a, true, [2]]"),
        ('#set($x = {"a": 1, "b": {"c": "d"}})$x', "{a=1, b={c=d}}"),
        ("#set($x = [$nothing])$x", "[null]"),
        ("#set($x = {})$x", "{}"),
    ],
)
def test_values_write_as_java_writes_them(template: str, expected: str) -> None:
    assert vtl(template) == expected


def test_json_values_write_maps_as_java_and_arrays_as_json() -> None:
    # Jayway JsonPath's objects are Java maps ({a=1}), its arrays json-smart arrays (JSON).
    body = b'{"a": 1, "b": [{"c": 5}, "s"], "d": {"e": [true, null]}}'
    out = vtl("$input.path('$')|$input.path('$.b')|$input.path('$.d')", body=body)
    assert out == '{a=1, b=[{"c":5},"s"], d={e=[true,null]}}|[{"c":5},"s"]|{e=[true,null]}'
