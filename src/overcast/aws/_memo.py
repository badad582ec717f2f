"""Bounded memos cheaper to consult than functools.lru_cache, for the work a signed
request's verification repeats from one request of a client to the next: a warm Invoke
pays for every lookup, and a plain dict's hit costs a fraction of an lru_cache hit."""

from __future__ import annotations

from typing import TypeVar

V = TypeVar("V")


def remember(memo: dict, key: object, value: V, size: int) -> V:
    """`value`, kept in `memo` under `key`. At `size` entries the memo forgets everything at
    once, so keys a client makes up (a new one every request) cost at most `size` entries."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = value
    return value
