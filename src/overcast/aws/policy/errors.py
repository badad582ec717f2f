"""Errors of the policy language."""

from __future__ import annotations


class PolicyError(Exception):
    """Base of the policy language's errors."""


class MalformedPolicyDocumentError(PolicyError):
    """Raised when a policy document is not valid IAM policy grammar. `message` is IAM's
    `MalformedPolicyDocument` message as AWS words it ("Syntax errors in policy.", ...);
    the IAM API answers it with its MalformedPolicyDocumentException, other services with
    their own error code and the same message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
