"""aws/_memo.py: bounded memos for what verification repeats."""

from __future__ import annotations

from overcast.aws._memo import remember


def test_a_memo_keeps_what_it_is_given_up_to_its_size_then_starts_over():
    memo: dict[str, int] = {}
    for i in range(10):
        assert remember(memo, f"k{i}", i, size=4) == i
        assert len(memo) <= 4
    assert memo == {"k8": 8, "k9": 9}
