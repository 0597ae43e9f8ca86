"""Reading numbers typed into page forms, where anything may arrive."""

import re
from decimal import Decimal

# Ids and counts fit a signed 64-bit column (PostgreSQL's bigint); bigger is not an id.
MAX_ID = 2**63 - 1


def form_int(value) -> int | None:
    """``value`` as an int, or None when it is not one or does not fit a database column
    (``"²".isdigit()`` is true, yet ``int("²")`` fails)."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if -MAX_ID <= number <= MAX_ID else None


_AMOUNT = re.compile(r"\d{1,6}(\.\d)?")


def form_amount(value) -> Decimal | None:
    """A plain decimal with at most one place ("1.5", "24"), as typed or as the API's
    Decimal; None for anything else (exponents, NaN, signs, more places)."""
    text = str(value if value is not None else "").strip()
    if not _AMOUNT.fullmatch(text):
        return None
    return Decimal(text)
