"""The one error a mapping template raises.

API Gateway answers a request whose mapping template fails (a syntax error, a method that
throws, a limit passed) with its generic 500 `Internal server error`; the data plane decides
that answer, this package only says why in `TemplateError.message`, for the logs.
"""

from __future__ import annotations


class TemplateError(Exception):
    """Raised when a mapping template cannot be parsed, or fails while it is rendered."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
