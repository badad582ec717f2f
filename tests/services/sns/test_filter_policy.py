"""Filter policies, on the examples of SNS's developer guide (message filtering)."""

from __future__ import annotations

import json

import pytest

from overcast.services.sns.errors import InvalidParameterException
from overcast.services.sns.filter_policy import BODY, FilterPolicy

# The guide's example message: a customer transaction with four attributes.
ATTRIBUTES = {
    "customer_interests": {"Type": "String.Array", "Value": '["soccer", "rugby", "hockey"]'},
    "store": {"Type": "String", "Value": "example_corp"},
    "event": {"Type": "String", "Value": "order_placed"},
    "price_usd": {"Type": "Number", "Value": "210.75"},
    "signature": {"Type": "Binary", "Value": "AAEC"},
}


def takes(policy: dict, attributes: dict | None = None, **changes: tuple[str, str]) -> bool:
    message = dict(ATTRIBUTES if attributes is None else attributes)
    for name, change in changes.items():
        if change is None:
            message.pop(name, None)
        else:
            message[name] = {"Type": change[0], "Value": change[1]}
    return FilterPolicy.parse(json.dumps(policy)).accepts(message, "body")


def test_the_guides_policy_accepts_the_guides_message() -> None:
    policy = {
        "store": ["example_corp"],
        "event": [{"anything-but": "order_cancelled"}],
        "customer_interests": ["rugby", "football", "baseball"],
        "price_usd": [{"numeric": [">=", 100]}],
    }
    assert takes(policy)
    assert not takes(policy, event=("String", "order_cancelled"))
    assert not takes(policy, price_usd=("Number", "99.9"))
    assert not takes(policy, store=None)  # every key of the policy must match


@pytest.mark.parametrize(
    "policy, accepted, refused",
    [
        # exact string values, one of a list
        (
            {"store": ["example_corp", "other"]},
            ("String", "example_corp"),
            ("String", "Example_Corp"),
        ),
        # prefix and suffix
        ({"store": [{"prefix": "exa"}]}, ("String", "example_corp"), ("String", "an_example")),
        ({"store": [{"suffix": "corp"}]}, ("String", "example_corp"), ("String", "corp_x")),
        # anything-but: values, and a prefix
        ({"store": [{"anything-but": ["a", "b"]}]}, ("String", "c"), ("String", "a")),
        ({"store": [{"anything-but": {"prefix": "ex"}}]}, ("String", "shop"), ("String", "exa")),
        # equals-ignore-case
        (
            {"store": [{"equals-ignore-case": "EXAMPLE_corp"}]},
            ("String", "example_CORP"),
            ("String", "x"),
        ),
        # numeric: equality by value, ranges
        ({"store": [{"numeric": ["=", 301.5]}]}, ("Number", "3.015e2"), ("Number", "301.4")),
        ({"store": [{"numeric": [">", 0, "<=", 150]}]}, ("Number", "150"), ("Number", "0")),
        ({"store": [{"numeric": ["<", 0]}]}, ("Number", "-0.5"), ("Number", "0")),
        ({"store": [{"anything-but": [100, 500]}]}, ("Number", "100.1"), ("Number", "100")),
        (
            {"store": [{"anything-but": [100, 500]}]},
            ("Number.Array", "[100, 50]"),
            ("Number", "500"),
        ),
        # cidr
        ({"store": [{"cidr": "10.0.0.0/24"}]}, ("String", "10.0.0.255"), ("String", "10.0.1.0")),
        # exact numbers match Number attributes only, not text that reads as one
        ({"store": [301.5]}, ("Number", "301.50"), ("String", "301.5")),
    ],
)
def test_operators(policy: dict, accepted: tuple, refused: tuple) -> None:
    assert takes(policy, store=accepted)
    assert not takes(policy, store=refused)


def test_exists() -> None:
    assert takes({"store": [{"exists": True}]})
    assert not takes({"store": [{"exists": True}]}, store=None)
    assert takes({"store": [{"exists": False}]}, store=None)
    assert not takes({"store": [{"exists": False}]})
    # A Binary attribute is ignored by filtering: it does not exist for a policy.
    assert takes({"signature": [{"exists": False}]})


def test_string_arrays_match_when_any_element_does() -> None:
    assert takes({"customer_interests": ["rugby"]})
    assert takes({"customer_interests": [{"prefix": "hoc"}]})
    assert not takes({"customer_interests": ["tennis"]})


def test_or_between_keys() -> None:
    policy = {
        "store": ["example_corp"],
        "$or": [{"event": ["x"]}, {"price_usd": [{"numeric": [">", 200]}]}],
    }
    assert takes(policy)
    assert not takes(policy, price_usd=("Number", "10"))
    assert takes(policy, price_usd=("Number", "10"), event=("String", "x"))


def test_an_empty_policy_takes_everything() -> None:
    assert takes({})


def test_message_body_scope_matches_nested_properties() -> None:
    policy = FilterPolicy.parse(
        json.dumps({"order": {"customer": {"tier": ["gold"]}, "total": [{"numeric": [">", 100]}]}}),
        BODY,
    )
    body = {"order": {"customer": {"tier": "gold"}, "total": 250}}
    assert policy.accepts({}, json.dumps(body))
    body["order"]["customer"]["tier"] = "silver"
    assert not policy.accepts({}, json.dumps(body))
    assert not policy.accepts({}, "not json")
    # Attributes play no part in the body scope.
    assert not policy.accepts({"order": {"Type": "String", "Value": "x"}}, "{}")


def reason(text: str, scope: str = "MessageAttributes", where: str = "FilterPolicy") -> str:
    with pytest.raises(InvalidParameterException) as excinfo:
        FilterPolicy.parse(text, scope, where)
    assert excinfo.value.code == "InvalidParameter" and excinfo.value.status == 400
    return excinfo.value.message


@pytest.mark.parametrize(
    "policy, message",
    [
        (
            {"key": [["value"]]},
            "FilterPolicy: Match value must be String, number, true, false, or null",
        ),
        (
            {"key": [{"wrong-operator": True}]},
            "FilterPolicy: Unrecognized match type wrong-operator",
        ),
        (
            {"key": [{"suffix": "v", "prefix": "w"}]},
            "FilterPolicy: Only one key allowed in match expression",
        ),
        ({"key": [{"suffix": 100}]}, "FilterPolicy: suffix match pattern must be a string"),
        ({"key_a": "value_one"}, 'FilterPolicy: "key_a" must be an object or an array'),
        ({"key": [{"numeric": []}]}, "FilterPolicy: Invalid member in numeric match: ]"),
        ({"key": [{"numeric": ["=", "000"]}]}, "FilterPolicy: Value of equals must be numeric"),
        ({"key": [{"numeric": [">", 3, "<", 1]}]}, "FilterPolicy: Bottom must be less than top"),
        ({"key": [{"numeric": [">", 20, 30]}]}, "FilterPolicy: Bad value in numeric range: 30"),
        (
            {"key": [{"exists": "no"}]},
            "FilterPolicy: exists match pattern must be either true or false.",
        ),
        ({"key": [{"wildcard": "a*"}]}, "FilterPolicy: Unrecognized match type wildcard"),
        (
            {"key": [{"numeric": [">", 2e9]}]},
            "FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive",
        ),
        (
            {f"k{n}": ["v"] for n in range(6)},
            "FilterPolicy: Filter policy can not have more than 5 keys",
        ),
        (
            {"a": list(range(13)), "b": list(range(12))},
            "FilterPolicy: Filter policy is too complex",
        ),
        (
            {"a": {"b": ["c"]}},
            "Filter policy scope MessageAttributes does not support nested filter policy",
        ),
    ],
)
def test_invalid_policies_are_refused_in_snss_words(policy: dict, message: str) -> None:
    assert reason(json.dumps(policy)) == f"Invalid parameter: {message}"


def test_nested_policies_are_for_the_body_scope_and_their_limits_count_leaves() -> None:
    FilterPolicy.parse(json.dumps({"a": {"b": ["c"]}}), BODY)
    nested = {
        "key_a": {"key_b": {"key_c": ["v1", "v2", "v3", "v4"]}},
        "key_d": {"key_e": ["v1", "v2", "v3"]},
        "key_f": ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13"],
    }
    assert (
        reason(json.dumps(nested), BODY)
        == "Invalid parameter: FilterPolicy: Filter policy is too complex"
    )


def test_subscribe_names_the_policy_within_its_attributes() -> None:
    assert reason("{oops", where="Attributes Reason: FilterPolicy").startswith(
        "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON."
    )
