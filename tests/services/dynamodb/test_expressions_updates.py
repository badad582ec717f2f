"""UpdateExpression: what each clause does to an item, and DynamoDB's refusals."""

from __future__ import annotations

import pytest
from expression_support import av, ph, refusal

from overcast.services.dynamodb.expressions import Placeholders, update

UPD = "Invalid UpdateExpression: "
ITEM = {
    "pk": av("k"),
    "n": av(10),
    "s": av("text"),
    "l": av(["a", "b", "c", "d"]),
    "m": av({"x": 1, "sub_list": [1, 2]}),
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
}


def applied(text: str, names: dict | None = None, item: dict | None = None, **values) -> dict:
    return update(text, ph(names, **values)).apply(ITEM if item is None else item)


def test_set_replaces_and_adds_attributes_without_touching_the_argument():
    before = {"pk": av("k"), "s": av("old")}
    after = applied("SET s = :v, t = :w", item=before, v="new", w=1)
    assert after == {"pk": av("k"), "s": av("new"), "t": av(1)}
    assert before == {"pk": av("k"), "s": av("old")}


def test_set_arithmetic_is_exact_and_normalised():
    assert applied("SET n = n + :d", d={"N": "0.10"})["n"] == {"N": "10.1"}
    assert applied("SET n = n - :d", d=15)["n"] == {"N": "-5"}
    assert applied("SET n = :a + :b", a={"N": "0.1"}, b={"N": "0.2"})["n"] == {"N": "0.3"}
    assert applied("SET n = n - n")["n"] == {"N": "0"}


def test_set_values_read_the_item_before_the_update():
    after = applied("SET n = :v, s = n", v=99)
    assert after["n"] == av(99) and after["s"] == av(10)


def test_if_not_exists():
    assert applied("SET n = if_not_exists(n, :v)", v=1)["n"] == av(10)
    assert applied("SET c = if_not_exists(c, :v)", v=1)["c"] == av(1)
    assert applied("SET c = if_not_exists(c, :zero) + :one", zero=0, one=1)["c"] == av(1)


def test_list_append():
    assert applied("SET l = list_append(l, :v)", v=["e"])["l"] == av(["a", "b", "c", "d", "e"])
    assert applied("SET l = list_append(:v, l)", v=["z"])["l"] == av(["z", "a", "b", "c", "d"])
    after = applied("SET e = list_append(if_not_exists(e, :none), :v)", none=[], v=[1])
    assert after["e"] == av([1])


def test_set_list_elements_replace_or_append_in_index_order():
    assert applied("SET l[1] = :v", v="B")["l"] == av(["a", "B", "c", "d"])
    after = applied("SET l[20] = :y, l[10] = :x", x="x", y="y")
    assert after["l"] == av(["a", "b", "c", "d", "x", "y"])


def test_set_nested_map_members():
    assert applied("SET m.y = :v", v=2)["m"] == av({"x": 1, "sub_list": [1, 2], "y": 2})
    assert applied("SET m.sub_list[0] = :v", v=9)["m"]["M"]["sub_list"] == av([9, 2])
    assert applied("SET #a.#b = :v", {"#a": "m", "#b": "x.y"}, v=3)["m"]["M"]["x.y"] == av(3)


def test_remove_attributes_and_list_elements_by_their_old_indexes():
    after = applied("REMOVE s, l[0], l[2], absent")
    assert "s" not in after
    assert after["l"] == av(["b", "d"])
    assert applied("REMOVE l[9]")["l"] == ITEM["l"]
    assert applied("REMOVE m.x")["m"] == av({"sub_list": [1, 2]})


def test_add_numbers_and_sets():
    assert applied("ADD n :v", v=5)["n"] == av(15)
    assert applied("ADD c :v", v={"N": "2.50"})["c"] == {"N": "2.5"}
    assert applied("ADD ss :v", v={"SS": ["b", "c"]})["ss"] == {"SS": ["a", "b", "c"]}
    assert applied("ADD ns :v", v={"NS": ["2.0", "3"]})["ns"] == {"NS": ["1", "2", "3"]}
    assert applied("ADD new_set :v", v={"SS": ["z"]})["new_set"] == {"SS": ["z"]}


def test_delete_from_sets_and_the_last_element_removes_the_attribute():
    assert applied("DELETE ss :v", v={"SS": ["a", "z"]})["ss"] == {"SS": ["b"]}
    assert "ss" not in applied("DELETE ss :v", v={"SS": ["a", "b"]})
    assert applied("DELETE ns :v", v={"NS": ["1.0"]})["ns"] == {"NS": ["2"]}
    assert "gone" not in applied("DELETE gone :v", v={"SS": ["a"]})


def test_clauses_in_any_order_once_each():
    after = applied("REMOVE s ADD n :one SET t = :t DELETE ss :a", one=1, t="t", a={"SS": ["a"]})
    assert (after["n"], after["t"], after["ss"], "s" in after) == (
        av(11),
        av("t"),
        {"SS": ["b"]},
        False,
    )
    assert refusal(update, "SET a = :v REMOVE b SET c = :v", ph(v=1)) == (
        f'{UPD}The "SET" section can only be used once in an update expression;'
    )
    assert refusal(update, "remove a remove b", ph()) == (
        f'{UPD}The "REMOVE" section can only be used once in an update expression;'
    )


def test_paths_and_top_level_names():
    change = update(
        "SET a.b = :v, #c = :v REMOVE l[1] ADD n :v", Placeholders({"#c": "c"}, {":v": {"N": "1"}})
    )
    assert change.paths == ("a", "c", "l", "n")
    assert change.targets == (("a", "b"), ("c",), ("l", 1), ("n",))


@pytest.mark.parametrize(
    ("text", "one", "two", "relation"),
    [
        ("SET a = :v, a = :v", "[a]", "[a]", "overlap"),
        ("SET a = :v REMOVE a.b", "[a]", "[a, b]", "overlap"),
        ("SET #s = :v, #s = :v", "[string_set]", "[string_set]", "overlap"),
        ("ADD ss :s DELETE ss :s", "[ss]", "[ss]", "overlap"),
        ("REMOVE a.c SET a[1] = :v", "[a, c]", "[a, [1]]", "conflict"),
        ("SET d[1] = :v, d.b = :v, c[1].a = :v, c = :v", "[c, [1], a]", "[c]", "overlap"),
    ],
)
def test_overlapping_and_conflicting_paths(text, one, two, relation):
    message = refusal(
        update, text, ph({"#s": "string_set"} if "#s" in text else None, v=1, s={"SS": ["x"]})
    )
    assert message == (
        f"{UPD}Two document paths {relation} with each other; must remove or rewrite one of "
        f"these paths; path one: {one}, path two: {two}"
    )


def test_a_placeholder_holding_a_dot_does_not_overlap():
    update("SET string_set = :h, #n = :h", ph({"#n": "string_set.nested"}, h="H"))


@pytest.mark.parametrize(
    ("clause", "value", "type_name"),
    [("ADD", "a", "STRING"), ("ADD", [1], "LIST"), ("ADD", True, "BOOLEAN"),
     ("ADD", {"M": {}}, "MAP"), ("DELETE", 1, "NUMBER"), ("DELETE", None, "NULL"),
     ("DELETE", b"x", "BINARY")],
)  # fmt: skip
def test_add_and_delete_operand_types(clause, value, type_name):
    assert refusal(update, f"{clause} a :v", ph(v=value)) == (
        f"{UPD}Incorrect operand type for operator or function; "
        f"operator: {clause}, operand type: {type_name}"
    )


@pytest.mark.parametrize(
    ("text", "function", "type_name"),
    [("SET a = a + :s", "+", "S"), ("SET a = :l - a", "-", "L"),
     ("SET a = list_append(a, :n)", "list_append", "N"),
     ("SET a = list_append(:s, a)", "list_append", "S")],
)  # fmt: skip
def test_given_values_of_the_wrong_type(text, function, type_name):
    message = refusal(update, text, _only(text))
    assert message == (
        f"{UPD}Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {type_name}"
    )


def _only(text: str) -> Placeholders:
    given = {":s": av("x"), ":l": av([1]), ":n": av(1)}
    return Placeholders(None, {k: v for k, v in given.items() if k in text})


def test_runtime_type_errors():
    message = "An operand in the update expression has an incorrect data type"
    assert refusal(applied, "SET s = s + s") == message
    assert refusal(applied, "SET l = list_append(l, s)") == message
    assert refusal(applied, "ADD s :v", None, None, v=1) == message
    assert refusal(applied, "ADD ss :v", None, None, v={"NS": ["1"]}) == message
    assert refusal(applied, "DELETE ns :v", None, None, v={"SS": ["1"]}) == message


def test_reading_a_missing_attribute():
    message = "The provided expression refers to an attribute that does not exist in the item"
    assert refusal(applied, "SET s = absent") == message
    assert refusal(applied, "SET n = n + absent") == message
    # "my-Num" is my minus Num (recorded from DynamoDB by moto).
    assert refusal(applied, "SET s = my-Num") == message


def test_paths_through_missing_or_wrong_kinds_of_values():
    message = "The document path provided in the update expression is invalid for update"
    assert refusal(applied, "SET absent.x = :v", None, None, v=1) == message
    assert refusal(applied, "SET s.x = :v", None, None, v=1) == message
    assert refusal(applied, "SET m[0] = :v", None, None, v=1) == message
    assert refusal(applied, "SET l.x = :v", None, None, v=1) == message
    assert refusal(applied, "REMOVE absent.x") == message
    assert refusal(applied, "ADD absent.x :v", None, None, v=1) == message


def test_number_limits():
    big = "9" * 38
    assert refusal(
        applied, "SET n = :a + :b", None, None, a={"N": "9.9E+125"}, b={"N": "1E+125"}
    ) == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )
    assert refusal(applied, "ADD n :v", None, None, v={"N": "1E-130"}) == (
        "Attempting to store more than 38 significant digits in a Number"
    )
    assert applied("SET n = :a + :b", a={"N": big}, b={"N": "1"})["n"] == {"N": "1" + "0" * 38}


def test_malformed_values_get_validation_errors_not_tracebacks():
    stored = {"n": {"N": "abc"}, "m": {"M": "not a map"}}
    assert refusal(update("ADD n :v", ph(v=1)).apply, stored) == (
        "The parameter cannot be converted to a numeric value: abc"
    )
    assert refusal(update("SET m.x = :v", ph(v=1)).apply, stored) == (
        "The document path provided in the update expression is invalid for update"
    )
    assert refusal(update("SET n = n + :v", ph(v=1)).apply, stored) == (
        "An operand in the update expression has an incorrect data type"
    )
