"""Regular expressions from templates and API settings, matched against request text, cannot
hold the server: catastrophic backtracking fails the match (java_regex's time limit), and the
matches of one render share one budget, so a loop of slow matches ends too."""

from __future__ import annotations

import pytest
from vtl_support import vtl

from overcast.http.templates import TemplateError, java_regex, select_pattern
from overcast.services.apigateway.endpoint.lambda_authorizers import _fullmatch

# Exponential for a backtracking engine: every split of the a's into a and aa is tried before
# the `!` fails the match. (The brief's `(a+)+$` is one the `regex` module answers at once.)
CATASTROPHIC = "(a|aa)+$"
HOPELESS = "a" * 60 + "!"  # out of reach of any time limit without the limit


def test_a_catastrophic_match_fails_instead_of_hanging() -> None:
    with pytest.raises(TemplateError, match="took too long"):
        java_regex.matches(CATASTROPHIC, HOPELESS)
    with pytest.raises(TemplateError):
        vtl(f"#set($s = '{HOPELESS}')$s.replaceAll('{CATASTROPHIC}', 'x')")


def test_a_selection_pattern_that_never_ends_selects_nothing() -> None:
    assert select_pattern([CATASTROPHIC], HOPELESS) is None
    assert select_pattern([CATASTROPHIC, ".*!"], "b!") == ".*!"


def test_a_loop_of_slow_matches_runs_out_of_the_renders_budget() -> None:
    """Each match stays under the per-match limit (about 0.1 s here), but 200 of them would
    hold the worker for many times the render's budget: the render fails instead."""
    slow = "a" * 28 + "!"
    template = f"#set($s = '{slow}')#foreach($i in [1..200])$s.matches('{CATASTROPHIC}')#end"
    with pytest.raises(TemplateError, match="took too long"):
        vtl(template)


def test_an_identity_validation_expression_is_time_limited() -> None:
    """A REST API token authorizer's identityValidationExpression is matched against the
    request's token: a backtracking pattern refuses the token rather than hang."""
    assert _fullmatch("^[a-z]+$", "abc")
    assert not _fullmatch("^[a-z]+$", "ab1")
    assert not _fullmatch(CATASTROPHIC, HOPELESS)
    assert not _fullmatch("(", "x")  # not a regular expression
