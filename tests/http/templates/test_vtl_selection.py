"""select_pattern: integration responses chosen by Java regexes over the whole text."""

from __future__ import annotations

from overcast.http.templates import select_pattern


def test_a_pattern_matches_the_whole_text() -> None:
    assert select_pattern(["2\\d{2}"], "200") == "2\\d{2}"
    assert select_pattern(["2\\d"], "200") is None
    assert select_pattern([".*Not Found.*"], "Error: Not Found here") == ".*Not Found.*"
    assert select_pattern(["Not Found"], "Error: Not Found here") is None


def test_the_first_matching_pattern_wins_and_empty_ones_are_skipped() -> None:
    assert select_pattern(["", "4\\d{2}", "40\\d", ".*"], "404") == "4\\d{2}"
    assert select_pattern([], "x") is None


def test_a_dot_does_not_match_a_newline() -> None:
    # AWS: "make sure that the error response does not contain any newline" for `.+`.
    assert select_pattern([".+"], "line one\nline two") is None
    assert select_pattern(["(.|\\n)+"], "line one\nline two") == "(.|\\n)+"


def test_java_syntax() -> None:
    assert select_pattern(["\\p{Upper}\\w*+"], "Error") == "\\p{Upper}\\w*+"
    assert select_pattern(["(?<kind>Bad|Worse)Request"], "BadRequest") is not None


def test_invalid_and_runaway_patterns_select_nothing() -> None:
    assert select_pattern(["(unclosed", "ok"], "ok") == "ok"
    assert select_pattern(["(a+)+$"], "a" * 40 + "!") is None
