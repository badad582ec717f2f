"""DynamoDB's errors, by the names of its JSON 1.0 API (botocore's `dynamodb` model). DynamoDB
answers them 400 (`InternalServerError` aside), with `__type` and `message`."""

from __future__ import annotations

from overcast.aws.errors import UserError
from overcast.aws.errors import ValidationException as _ValidationException


class DynamoDbError(UserError):
    """Raised when a DynamoDB request fails; the status comes from the model's error shape."""

    model = "dynamodb"


class ValidationException(_ValidationException):
    """Raised when DynamoDB refuses an input: a malformed AttributeValue or expression, a key
    that does not match the schema ("The provided key element does not match the schema")."""
