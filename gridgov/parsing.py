"""Reading numbers typed into page forms or sent as API query parameters, where anything
may arrive."""

import re
from decimal import Decimal

from rest_framework.exceptions import ValidationError

# Ids and counts fit a signed 64-bit column (PostgreSQL's bigint); bigger is not an id.
MAX_ID = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def form_int(value) -> int | None:
    """``value`` as an int, or None when it is not one or does not fit a database column
    (``"²".isdigit()`` is true, yet ``int("²")`` fails)."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if -MAX_ID <= number <= MAX_ID else None


def query_int(params, name: str, default: int, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """The API's one reader of integer query parameters (``?limit=``, ``?offset=``, …):
    ``default`` when absent or empty; a 400 ``invalid`` naming the parameter when the value
    is not a plain decimal integer between ``minimum`` and ``maximum``, so that nothing out
    of a database column's range reaches a query (SQLite raises OverflowError on it)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    # int() also takes "+5", "1_000", "٣" and " 5 ": an API parameter is ASCII digits.
    number = int(raw) if _INTEGER.fullmatch(raw) else None
    if number is None or not minimum <= number <= maximum:
        raise ValidationError({name: [f"应为 {minimum} 到 {maximum} 之间的整数"]}, code="invalid")
    return number


_AMOUNT = re.compile(r"\d{1,6}(\.\d)?")


def form_amount(value) -> Decimal | None:
    """A plain decimal with at most one place ("1.5", "24"), as typed or as the API's
    Decimal; None for anything else (exponents, NaN, signs, more places)."""
    text = str(value if value is not None else "").strip()
    if not _AMOUNT.fullmatch(text):
        return None
    return Decimal(text)
