"""From what a caller wrote (FunctionName + Qualifier) to the function and qualifier it means."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.errors import InvalidParameterValueException
from overcast.function import LATEST
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.lambda_.model.arn import function_arn, parse_function_name


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
