"""From what a caller wrote (FunctionName + Qualifier) to the function and qualifier it means."""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.validation import single_error_message
from overcast.function import LATEST
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.arn import function_arn, parse_function_name

# Lambda's limit on a function's own name (the model's 140/256 are for ARNs). Its front end
# lets a longer name through (GetFunction and Invoke answer "Function not found");
# CreateFunction refuses it.
MAX_NAME_LENGTH = 64
# The model's Alias pattern, less its "not all digits" lookahead (checked apart).
ALIAS_NAME = re.compile(r"[a-zA-Z0-9_-]+")


@dataclass(frozen=True)
class Named:
    region: str
    name: str
    qualifier: str | None  # None: unqualified

    def arn(self, account_id: str, qualifier: str | None = None) -> str:
        return function_arn(self.region, account_id, self.name, qualifier)

    @property
    def version(self) -> str:
        """$LATEST for an unqualified name, else the qualifier (a version or an alias)."""
        return self.qualifier or LATEST


def name_function(
    account_id: str, region: str, function_name: str, qualifier: str | None = None
) -> Named:
    """Parse FunctionName in any of Lambda's formats and reconcile it with a Qualifier param.

    An ARN of another region is refused as Lambda refuses it (a request reaches one region's
    functions only); a different account's function is one Overcast does not have.
    """
    ref = parse_function_name(function_name)
    if ref is None:
        raise ResourceNotFoundException(
            f"Function not found: {function_arn(region, account_id, function_name)}"
        )
    if ref.region and ref.region != region:
        raise ResourceNotFoundException(
            f"Functions from '{ref.region}' are not reachable in this region ('{region}')"
        )
    if ref.account_id and ref.account_id != account_id:
        raise ResourceNotFoundException(
            f"Function not found: {ref.arn(region, account_id, ref.qualifier or qualifier)}"
        )
    qualifier = qualifier or None
    if ref.qualifier and qualifier and ref.qualifier != qualifier:
        # Lambda's words for `f:1` with Qualifier=2.
        raise InvalidParameterValueException(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return Named(region, ref.name, ref.qualifier or qualifier)


def check_new_name(function_name: str, named: Named) -> None:
    """CreateFunction's refusal of a name over 64 characters: the front end's wording, under
    InvalidParameterValueException (as Lambda answers it)."""
    if len(named.name) > MAX_NAME_LENGTH:
        raise InvalidParameterValueException(
            single_error_message(
                "functionName",
                function_name,
                f"Member must have length less than or equal to {MAX_NAME_LENGTH}",
            )
        )


def check_deletable(qualifier: str) -> None:
    """DeleteFunction's refusals of a qualifier, in Lambda's words: $LATEST, and any name an
    alias could have (the model's Alias pattern), whether or not such an alias exists."""
    if qualifier == LATEST:
        raise InvalidParameterValueException(
            "$LATEST version cannot be deleted without deleting the function."
        )
    if not qualifier.isdigit() and ALIAS_NAME.fullmatch(qualifier):
        raise InvalidParameterValueException("Deletion of aliases is not currently supported.")
