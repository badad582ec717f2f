"""ConditionExpression / FilterExpression: how a condition judges an item."""

from __future__ import annotations

import pytest
from expression_support import av, ph

from overcast.services.dynamodb.expressions import condition

ITEM = {
    "pk": av("p1"),
    "n": av(5),
    "s": av("hello"),
    "b": av(b"\x01\x02\x03"),
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.50"]},
    "bs": {"BS": ["AQ==", "Ag=="]},
    "l": av(["x", 2, {"k": "v"}]),
    "m": av({"part": {"deep": [10, 20]}, "dot.name": "dotted"}),
    "flag": av(True),
    "nothing": av(None),
}


def matches(text: str, names: dict | None = None, item: dict | None = None, **values) -> bool:
    return condition(text, ph(names, **values)).matches(ITEM if item is None else item)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n = :v", True),
        ("n <> :v", False),
        ("n < :v", False),
        ("n <= :v", True),
        ("n > :v", False),
        ("n >= :v", True),
    ],
)
def test_comparators_on_numbers(text, expected):
    assert matches(text, v=5) is expected


def test_numbers_compare_by_value_not_text():
    assert matches("n = :v", v={"N": "5.000"})
    assert matches("n < :v", v={"N": "1E+1"})
    assert matches("ns = :v", v={"NS": ["2.5", "1.0"]})


def test_strings_compare_by_utf8_bytes():
    item = {"s": av("\u00e9")}  # U+00E9 is after "z" in UTF-8 byte order
    assert matches("s > :v", item=item, v="z")
    assert matches("s < :v", v="hellp")


def test_binaries_compare_by_bytes():
    assert matches("b > :v", v=b"\x01\x02")
    assert matches("b = :v", v=b"\x01\x02\x03")


def test_different_types_are_never_equal_nor_ordered():
    assert not matches("n = :v", v="5")
    assert matches("n <> :v", v="5")
    assert not matches("n < :v", v="6")
    assert not matches("n >= :v", v="6")


def test_absent_attribute_comparisons_are_false_but_not_equal_is_true():
    assert not matches("absent = :v", v=1)
    assert not matches("absent < :v", v=1)
    assert matches("absent <> :v", v=1)
    assert not matches("absent BETWEEN :a AND :b", a=1, b=2)
    assert not matches("absent IN (:a, :b)", a=1, b=2)


def test_sets_lists_and_maps_compare_by_content():
    assert matches("ss = :v", v={"SS": ["b", "a"]})
    assert not matches("ss = :v", v={"SS": ["a"]})
    assert matches("l = :v", v=["x", 2, {"k": "v"}])
    assert not matches("l = :v", v=[2, "x", {"k": "v"}])
    assert matches("m.part = :v", v={"deep": [10, 20]})
    assert matches("flag = :v", v=True)
    assert matches("nothing = :v", v=None)


def test_between_is_inclusive():
    assert matches("n BETWEEN :a AND :b", a=5, b=9)
    assert matches("n BETWEEN :a AND :b", a=1, b=5)
    assert not matches("n BETWEEN :a AND :b", a=6, b=9)
    assert matches("s BETWEEN :a AND :b", a="h", b="i")


def test_in_matches_any_listed_value():
    assert matches("n IN (:a, :b, :c)", a=1, b=5, c="x")
    assert not matches("n IN (:a, :b)", a=1, b="5")


def test_document_paths_reach_into_maps_and_lists():
    assert matches("m.part.deep[1] = :v", v=20)
    assert matches("l[2].k = :v", v="v")
    assert not matches("l[3] = :v", v="v")
    assert not matches("s.x = :v", v="v")
    assert not matches("m[0] = :v", v="v")


def test_a_name_placeholder_may_hold_a_dot():
    # "#d" names one attribute "dot.name", not the path dot -> name.
    assert not matches("#d = :v", {"#d": "m.dot.name"}, v="dotted")
    assert matches("#d = :v", {"#d": "dot.name"}, item={"dot.name": av("x")}, v="x")
    assert not matches("m.#d = :v", {"#d": "part.deep"}, v=[10, 20])
    assert matches("m.#d = :v", {"#d": "dot.name"}, v="dotted")


def test_attribute_exists_and_not_exists():
    assert matches("attribute_exists(m.part.deep[0])")
    assert not matches("attribute_exists(m.part.deep[2])")
    assert matches("attribute_not_exists(absent)")
    assert not matches("attribute_not_exists(pk)")


@pytest.mark.parametrize(
    ("path", "type_name"),
    [("s", "S"), ("n", "N"), ("b", "B"), ("ss", "SS"), ("ns", "NS"), ("bs", "BS")]
    + [("l", "L"), ("m", "M"), ("flag", "BOOL"), ("nothing", "NULL")],
)
def test_attribute_type(path, type_name):
    assert matches(f"attribute_type({path}, :t)", t=type_name)
    assert not matches(f"attribute_type({path}, :t)", t="S" if type_name != "S" else "N")


def test_attribute_type_of_a_absent_attribute_is_false():
    assert not matches("attribute_type(absent, :t)", t="S")


def test_begins_with_strings_and_binaries():
    assert matches("begins_with(s, :v)", v="hel")
    assert not matches("begins_with(s, :v)", v="ell")
    assert matches("begins_with(b, :v)", v=b"\x01")
    assert not matches("begins_with(n, :v)", v="5")
    assert not matches("begins_with(absent, :v)", v="a")


def test_contains_substrings_set_members_and_list_elements():
    assert matches("contains(s, :v)", v="ell")
    assert matches("contains(ss, :v)", v="a")
    assert matches("contains(ns, :v)", v={"N": "2.5"})
    assert matches("contains(bs, :v)", v=b"\x02")
    assert matches("contains(l, :v)", v=2)
    assert matches("contains(l, :v)", v={"k": "v"})
    assert matches("contains(b, :v)", v=b"\x02\x03")
    assert not matches("contains(ss, :v)", v={"SS": ["a"]})
    assert not matches("contains(ns, :v)", v="1")
    assert not matches("contains(absent, :v)", v="a")


def test_size_of_each_type():
    assert matches("size(s) = :v", v=5)
    assert matches("size(b) = :v", v=3)
    assert matches("size(ss) = :v", v=2)
    assert matches("size(l) = :v", v=3)
    assert matches("size(m) = :v", v=2)
    assert not matches("size(n) = :v", v=1)
    assert not matches("size(absent) >= :v", v=0)
    assert matches("size(s) > size(ss)")


def test_size_counts_utf16_code_units():
    assert matches("size(s) = :v", item={"s": av("\U0001f600a")}, v=3)


def test_and_or_not_with_precedence():
    # NOT binds tighter than AND, AND tighter than OR.
    assert matches("n = :no OR n = :yes AND s = :s", no=1, yes=5, s="hello")
    assert not matches("(n = :no OR n = :yes) AND s = :s", no=1, yes=5, s="x")
    assert matches("n = :no OR n = :yes AND s = :s", no=5, yes=0, s="x")
    assert matches("NOT n = :no AND s = :s", no=1, s="hello")
    assert not matches("NOT (n = :yes AND s = :s)", yes=5, s="hello")
    assert matches("NOT NOT n = :yes", yes=5)


def test_keywords_and_spacing_are_free():
    assert matches("n between :a and :b", a=1, b=9)
    assert matches("  n  iN(:a,:b)  ", a=5, b=6)
    assert matches("not attribute_exists ( absent )")


def test_parenthesized_operands():
    assert matches("(n) = :v", v=5)
    assert matches("(size(s)) > (:v)", v=1)


def test_a_absent_item_is_an_empty_one():
    check = condition("attribute_not_exists(pk)", ph())
    assert check.matches(None)
    assert check.matches({})


def test_filter_expression_kind_names_itself_in_messages():
    from expression_support import refusal

    message = refusal(condition, "n = ", ph(), "FilterExpression")
    assert message == 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "= "'
