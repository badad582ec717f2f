"""Access key ids as AWS makes them: a kind prefix (`AKIA` long-term, `ASIA` temporary) and
16 characters of base 32 (`A-Z2-7`) that carry the owning account.

AWS does not document the layout; it is known from its own answers (Aidan Steele, "AWS
Access Key ID formats", 2020; Tal Be'ery, "A short note on AWS KEY ID"): the 48 bits after
the prefix hold a set top bit, then the 40-bit account number, then 7 more bits, and
STS's GetAccessKeyInfo answers the account read back from them, for any key id, without
looking the key up. Overcast's ids carry the account the same way, so GetAccessKeyInfo
answers them as AWS would, and answers real AWS key ids with their real account.
"""

from __future__ import annotations

import base64
import secrets

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TOP_BIT = 1 << 47
_ACCOUNT_MASK = 0x7FFFFFFFFF80  # the 40 bits of the account, above the low 7


def new_access_key_id(prefix: str, account_id: str) -> str:
    """`AKIA`/`ASIA` + 16 base-32 characters (20 in all) carrying `account_id`."""
    head = _TOP_BIT | (int(account_id) << 7) | secrets.randbits(7)
    raw = head.to_bytes(6, "big") + secrets.token_bytes(4)
    return prefix + base64.b32encode(raw).decode()


def account_of_key(access_key_id: str) -> str | None:
    """The 12-digit account an access key id belongs to; None when the characters after
    its 4-character prefix are not base 32 (no id AWS or Overcast issues)."""
    digits = access_key_id[4:14]
    if len(digits) < 10 or any(c not in _ALPHABET for c in digits):
        return None
    value = 0
    for char in digits:  # 10 characters: 50 bits, the first 48 of which are the head
        value = (value << 5) | _ALPHABET.index(char)
    head = value >> 2
    return f"{(head & _ACCOUNT_MASK) >> 7:012d}"
