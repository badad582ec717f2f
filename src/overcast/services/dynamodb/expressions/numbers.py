"""DynamoDB's numbers: exact decimals of up to 38 significant digits, magnitude 1E-130 to
9.9999999999999999999999999999999999999E+125, returned in plain notation without trailing
zeros ("1.50" -> "1.5", "1E+2" -> "100", "-0" -> "0")."""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

from overcast.services.dynamodb.errors import NumberOutOfRange

# Wide enough that the sum of any two numbers in range is exact (exponents -130 .. 125).
_EXACT = Context(prec=400, Emax=999, Emin=-999)
MAX_DIGITS = 38

OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"


def checked(number: Decimal) -> str:
    """The number as DynamoDB stores and returns it, or NumberOutOfRange."""
    number = number.normalize(_EXACT)
    if number.is_zero():
        return "0"
    if number.adjusted() > 125:
        raise NumberOutOfRange(OVERFLOW)
    if number.adjusted() < -130:
        raise NumberOutOfRange(UNDERFLOW)
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise NumberOutOfRange(TOO_PRECISE)
    return format(number, "f")


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
