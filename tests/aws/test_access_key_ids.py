"""Access key ids carry their account as AWS's do (aws/access_key_ids.py)."""

from __future__ import annotations

import pytest

from overcast.aws.access_key_ids import account_of_key, new_access_key_id


@pytest.mark.parametrize(
    ("key_id", "account"),
    [
        ("AKIASP2TPHJSQH3FJXYZ", "171436882533"),  # published decodings of real key ids
        ("ASIAY34FZKBOKMUTVV7A", "609629065308"),
        ("ASIAQAAAAAAAGMKEM7X5", "000000000000"),
    ],
)
def test_known_key_ids_decode_to_their_accounts(key_id: str, account: str) -> None:
    assert account_of_key(key_id) == account


@pytest.mark.parametrize("account", ["000000000000", "123456789012", "999999999999"])
def test_new_ids_carry_the_account(account: str) -> None:
    key_id = new_access_key_id("AKIA", account)
    assert len(key_id) == 20 and key_id.startswith("AKIA")
    assert set(key_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert account_of_key(key_id) == account


def test_an_id_that_is_not_base_32_has_no_account() -> None:
    assert account_of_key("AKIA0000000000000000") is None
    assert account_of_key("AKIA") is None
