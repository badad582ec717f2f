"""The Java methods templates call on strings, lists, maps and numbers; nothing else is
reachable."""

from __future__ import annotations

import pytest
from vtl_support import vtl

from overcast.http.templates import TemplateError

S = "#set($s = \"Hello, World\")#set($t = 'a,b,,')#set($p = '  x  ')"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("$s.length()", "12"),
        ("$s.toLowerCase()", "hello, world"),
        ("$s.toUpperCase()", "HELLO, WORLD"),
        ("$s.substring(7)", "World"),
        ("$s.substring(0, 5)", "Hello"),
        ("$s.indexOf('o')", "4"),
        ("$s.indexOf('o', 5)", "8"),
        ("$s.lastIndexOf('o')", "8"),
        ("$s.indexOf('z')", "-1"),
        ("$s.contains('World')", "true"),
        ("$s.startsWith('Hell')", "true"),
        ("$s.endsWith('x')", "false"),
        ("$s.charAt(1)", "e"),
        ("$s.replace('l', 'L')", "HeLLo, WorLd"),
        ("$s.replaceAll('l+', '_')", "He_o, Wor_d"),
        ("$s.replaceAll('(\\w+), (\\w+)', '$2 $1')", "World Hello"),
        ("$s.replaceFirst('l', '')", "Helo, World"),
        ("$s.matches('H.*d')", "true"),
        ("$s.matches('H')", "false"),  # the whole string, as Java's matches
        ("$s.split(', ')", "[Hello, World]"),
        ("$s.split(',').size()", "2"),
        ("$t.split(',')", "[a, b]"),  # Java drops trailing empty strings
        ("$t.split(',', -1).size()", "4"),
        ("$s.equals('Hello, World')", "true"),
        ("$s.equalsIgnoreCase('hello, world')", "true"),
        ("$s.concat('!')", "Hello, World!"),
        ("$p.trim()", "x"),
        ("$s.isEmpty()", "false"),
        ("$s.empty", "false"),  # a bean property: isEmpty()
        ("$s.class.name", "java.lang.String"),
        ("$s.getClass().getSimpleName()", "String"),
        ("$s.hashCode()", "-505841268"),
        ("$s.compareTo('Hello')", "1"),
        ("$s.noSuchMethod()", ""),
        ("$s.length(1)", ""),  # no such overload
    ],
)
def test_string_methods(call: str, expected: str) -> None:
    assert vtl(f"{S}#set($r = {call})$!r") == expected


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("$l.size()", "3"),
        ("$l.get(0)", "a"),
        ("$l[2]", "c"),
        ("$l.contains('b')", "true"),
        ("$l.indexOf('c')", "2"),
        ("$l.isEmpty()", "false"),
        ("$l.subList(1, 3)", "[b, c]"),
        ("$l.class.name", "java.util.ArrayList"),
    ],
)
def test_list_methods(call: str, expected: str) -> None:
    assert vtl(f"#set($l = ['a', 'b', 'c'])#set($r = {call})$r") == expected


def test_list_changes() -> None:
    template = (
        "#set($l = [1])#set($d = $l.add(2))#set($d = $l.add(0, 0))#set($d = $l.addAll([3, 4]))"
        "#set($d = $l.remove(4))#set($d = $l.set(0, 9))$l"
    )
    assert vtl(template) == "[9, 1, 2, 3]"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("$m.get('a')", "1"),
        ("$m.a", "1"),
        ("$m['b']", "2"),
        ("$m.keySet()", "[a, b]"),
        ("$m.values()", "[1, 2]"),
        ("$m.containsKey('a')", "true"),
        ("$m.containsValue(2)", "true"),
        ("$m.size()", "2"),
        ("$m.isEmpty()", "false"),
        ("$m.getOrDefault('z', 0)", "0"),
        ("$m.entrySet()", "[a=1, b=2]"),
        ("$m.class.name", "java.util.LinkedHashMap"),
    ],
)
def test_map_methods(call: str, expected: str) -> None:
    assert vtl(f'#set($m = {{"a": 1, "b": 2}})#set($r = {call})$r') == expected


def test_map_changes_and_entries() -> None:
    template = (
        '#set($m = {"a": 1})#set($d = $m.put("b", 2))#set($d = $m.putAll({"c": 3}))'
        '#set($d = $m.remove("a"))#foreach($e in $m.entrySet())$e.key:$e.getValue() #end$m'
    )
    assert vtl(template) == "b:2 c:3 {b=2, c=3}"


def test_number_and_boolean_methods() -> None:
    template = (
        "#set($n = 3.7)$n.intValue() $n.doubleValue() #set($i = 5)$i.toString() $i.class.name"
    )
    assert vtl(template) == "3 3.7 5 java.lang.Integer"
    assert vtl("#set($b = true)$b.booleanValue() $b.toString()") == "true true"


@pytest.mark.parametrize(
    "call",
    [
        "$s.substring(50)",
        "$s.substring(5, 2)",
        "$s.charAt(-1)",
        "$l.get(3)",
        "$l[9]",
        "$s.replaceAll('(', 'x')",
        "$s.replaceAll('l', '$3')",
    ],
)
def test_a_java_method_that_throws_fails_the_template(call: str) -> None:
    with pytest.raises(TemplateError):
        vtl(f"{S}#set($l = [1, 2, 3])#set($r = {call})$r")


@pytest.mark.parametrize(
    "probe",
    [
        "$s.__class__",
        "$s.__class__.__mro__",
        "$s.__init__()",
        "$s.format_map($m)",
        "$s.lower()",
        "$m.__class__.__subclasses__()",
        "$m.clear.__self__",
        "$l.__len__()",
        "$input.__dict__",
        "$input.raw",
        "$input.params_by_kind",
        "$input.document()",
        "$util.__class__",
        "$util.call('base64Encode', ['x'])",
        "$foreach",
        "$s.class.forName('os')",
        "$s.getClass().getClassLoader()",
    ],
)
def test_no_python_attribute_is_reachable(probe: str) -> None:
    out = vtl(f"{S}#set($m = {{}})#set($l = [])[{probe}]", body=b'{"a": 1}')
    assert out == "[]"
