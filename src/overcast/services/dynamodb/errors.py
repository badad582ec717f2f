"""DynamoDB's errors, by the names of its JSON 1.0 API (botocore's `dynamodb` model). DynamoDB
answers them 400 (`InternalServerError` aside), with `__type` and `message`."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError
from overcast.aws.errors import ValidationException as _ValidationException


class DynamoDbError(UserError):
    """Raised when a DynamoDB request fails; the status comes from the model's error shape."""

    model = "dynamodb"


class ValidationException(_ValidationException):
    """Raised when DynamoDB refuses an input: a malformed AttributeValue or expression, a key
    that does not match the schema ("The provided key element does not match the schema")."""


# --- Part B (tables, items): the service's own errors ---


class ResourceNotFoundException(DynamoDbError, MissingResource):
    """Raised when a table (or index, or stream) does not exist, or is not yet or no longer
    usable ("Requested resource not found"). DynamoDB answers it 400."""

    status = 400
    code = "ResourceNotFoundException"


class ResourceInUseException(DynamoDbError):
    """Raised when CreateTable names a table that exists, or a change is asked of a table or
    index that is being created, updated or deleted."""

    code = "ResourceInUseException"


class LimitExceededException(DynamoDbError):
    """Raised when a table would pass a per-table limit DynamoDB states as this error."""

    code = "LimitExceededException"


class ConditionalCheckFailedException(DynamoDbError):
    """Raised when a write's condition is false ("The conditional request failed"); `Item`
    carries the item when ReturnValuesOnConditionCheckFailure is ALL_OLD."""

    code = "ConditionalCheckFailedException"

    def __init__(self, message: str = "The conditional request failed", item: dict | None = None):
        super().__init__(message)
        self.item = item

    def wire_fields(self) -> dict:
        return {} if self.item is None else {"Item": self.item}


class TransactionCanceledException(DynamoDbError):
    """Raised when a transaction is cancelled: `reasons` says why, one per item in order
    ({"Code": "None"} for the items that were not at fault)."""

    code = "TransactionCanceledException"

    def __init__(self, reasons: list[dict]) -> None:
        codes = ", ".join(reason["Code"] for reason in reasons)
        super().__init__(
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{codes}]"
        )
        self.reasons = reasons

    def wire_fields(self) -> dict:
        return {"CancellationReasons": self.reasons}


class IdempotentParameterMismatchException(DynamoDbError):
    """Raised when a ClientRequestToken is reused within 10 minutes for another request."""

    code = "IdempotentParameterMismatchException"


# --- Part A (expressions/): DynamoDB's expression language and its legacy request forms ---


class InvalidExpression(ValidationException):
    """Raised when an expression is malformed or breaks a rule of the language; DynamoDB names
    the parameter first: "Invalid ConditionExpression: Syntax error; token: "=", near: "a = =""."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"Invalid {kind}: {detail}")
        self.kind = kind
        self.detail = detail


class InvalidPlaceholders(ValidationException):
    """Raised when ExpressionAttributeNames / ExpressionAttributeValues are empty, have a key
    that is not a placeholder, or hold one that no expression of the request uses."""


class InvalidUpdatePath(ValidationException):
    """Raised when an update reaches through an attribute that is missing or of the wrong kind
    ("The document path provided in the update expression is invalid for update")."""

    def __init__(self) -> None:
        super().__init__(
            "The document path provided in the update expression is invalid for update"
        )


class IncorrectOperandType(ValidationException):
    """Raised when an update's operand has the wrong type for its action (adding to a string,
    a set of another type, list_append of a number...)."""

    def __init__(self) -> None:
        super().__init__("An operand in the update expression has an incorrect data type")


class MissingUpdateOperand(ValidationException):
    """Raised when an update's value reads an attribute that the item does not have."""

    def __init__(self) -> None:
        super().__init__(
            "The provided expression refers to an attribute that does not exist in the item"
        )


class NumberOutOfRange(ValidationException):
    """Raised when a number (or the result of arithmetic) is outside DynamoDB's range:
    38 significant digits, magnitude 1E-130 .. 9.99...E+125."""


class InvalidLegacyCondition(ValidationException):
    """Raised when a legacy Expected / QueryFilter / ScanFilter / KeyConditions / AttributeUpdates
    entry is malformed ("One or more parameter values were invalid: ...")."""


class InvalidKeyCondition(ValidationException):
    """Raised when a Query's key condition does not fit the key schema ("Query condition missed
    key schema element: pk", "Query key condition not supported")."""


class UpdateTypeMismatch(ValidationException):
    """Raised when a legacy AttributeUpdates ADD or DELETE meets an attribute of another type."""

    def __init__(self) -> None:
        super().__init__("Type mismatch for attribute to update")


# --- PartiQL (partiql/): ExecuteStatement, BatchExecuteStatement, ExecuteTransaction ---


class MalformedStatement(ValidationException):
    """Raised when a PartiQL statement does not parse ("Statement wasn't well formed, can't be
    processed: Expected data manipulation")."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Statement wasn't well formed, can't be processed: {detail}")
        self.detail = detail


class UnsupportedStatement(ValidationException):
    """Raised when a PartiQL statement parses but asks what DynamoDB's subset refuses
    ("Unsupported operation: ...")."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Unsupported operation: {detail}")


class DuplicateItemException(DynamoDbError):
    """Raised when a PartiQL INSERT names the key of an item that exists ("Duplicate primary key
    exists in table"; PutItem would replace it)."""

    code = "DuplicateItemException"

    def __init__(self, message: str = "Duplicate primary key exists in table") -> None:
        super().__init__(message)
