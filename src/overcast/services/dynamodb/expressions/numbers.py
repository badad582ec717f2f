"""Arithmetic on DynamoDB's numbers (`SET n = n + :x`, `ADD n :x`): exact, then held to the
limits and written as types.py writes every number (its `check_number` / `number_text` own
the rules: 38 significant digits, magnitude 1E-130 .. 9.99...E+125, "1.50" -> "1.5")."""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

from overcast.services.dynamodb.errors import NumberOutOfRange, ValidationException
from overcast.services.dynamodb.types import check_number, number_text

# Wide enough that the sum of any two numbers in range is exact (exponents -130 .. 125).
_EXACT = Context(prec=400, Emax=999, Emin=-999)


def checked(number: Decimal) -> str:
    """The number as DynamoDB stores and returns it, or NumberOutOfRange."""
    try:
        return number_text(check_number(number))
    except ValidationException as exc:
        raise NumberOutOfRange(exc.message) from None


def parse(text: object) -> Decimal:
    """The number a wire text stands for, or DynamoDB's refusal of it."""
    try:
        number = Decimal(text) if isinstance(text, str) else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise NumberOutOfRange(f"The parameter cannot be converted to a numeric value: {text}")
    return number


def normalize(text: str) -> str:
    """A number's text as DynamoDB returns it ("1.50" -> "1.5")."""
    return checked(parse(text))


def add(a: str, b: str) -> str:
    """a + b, exactly, within DynamoDB's limits (SET x = x + :n, ADD x :n)."""
    return checked(_EXACT.add(parse(a), parse(b)))


def subtract(a: str, b: str) -> str:
    return checked(_EXACT.subtract(parse(a), parse(b)))
