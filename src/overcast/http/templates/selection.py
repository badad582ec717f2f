"""Selection patterns: which integration response answers a backend's reply.

A pattern is a Java regular expression matched against the *whole* text (Java's
`String.matches`): for a Lambda function, the `errorMessage` of its error; for HTTP and AWS
integrations, the status code. `.` does not match a newline, so, as AWS's reference warns, a
pattern such as `.+` does not select an error message that holds one.
"""

from __future__ import annotations

from overcast.http.templates import java_regex
from overcast.http.templates.errors import TemplateError


def select_pattern(patterns: list[str], text: str) -> str | None:
    """The first of `patterns` that matches all of `text`, or None (the caller then uses the
    default integration response, the one without a pattern). Empty patterns are skipped, and
    so is a pattern that is no valid regular expression or that runs past its time limit."""
    with java_regex.time_budget():
        for pattern in patterns:
            if not pattern:
                continue
            try:
                if java_regex.matches(pattern, text):
                    return pattern
            except TemplateError:
                continue
    return None
