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
        # A bound as large as a database column's reads as no bound to a person.
        words = (
            f"不小于 {minimum} 的整数"
            if maximum >= MAX_ID
            else f"{minimum} 到 {maximum} 之间的整数"
        )
        raise ValidationError({name: [f"应为{words}"]}, code="invalid")
    return number


def query_bool(params, name: str) -> bool | None:
    """A boolean query parameter: ``true``/``1`` or ``false``/``0``; None when absent or
    empty; a 400 ``invalid`` naming it for anything else (a bad filter is never ignored)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw in ("true", "1", "True"):
        return True
    if raw in ("false", "0", "False"):
        return False
    raise ValidationError({name: ["只能是 true 或 false"]}, code="invalid")


def query_choice(params, name: str, choices) -> str:
    """A query parameter that must be one of ``choices`` (values); "" when absent or
    empty; a 400 ``invalid`` naming it and the allowed values for anything else."""
    raw = params.get(name, "").strip()
    if raw and raw not in choices:
        raise ValidationError({name: [f"应为 {'、'.join(choices)} 之一"]}, code="invalid")
    return raw


_AMOUNT = re.compile(r"\d{1,6}(\.\d)?")


def form_amount(value) -> Decimal | None:
    """A plain decimal with at most one place ("1.5", "24"), as typed or as the API's
    Decimal; None for anything else (exponents, NaN, signs, more places)."""
    text = str(value if value is not None else "").strip()
    if not _AMOUNT.fullmatch(text):
        return None
    return Decimal(text)


# -- dates ---------------------------------------------------------------------------------

# The platform's records start in this year; a case dated before it is a typing error.
EARLIEST_YEAR = 2000


def implausible_date(moment, label: str = "时间") -> str | None:
    """The one rule of plausible dates for every entry (file import, hotline API, Open311
    attributes, case intake): a date before 2000 or after next year is refused; returns
    the reason a person reads (``"受理时间 4270-01-01 不可信(应在 2000 年到 2027 年之间)"``)
    or None when the date is plausible. ``moment`` is a date or datetime (aware or not)."""
    if moment is None:
        return None
    from django.utils import timezone

    latest = timezone.localdate().year + 1
    if EARLIEST_YEAR <= moment.year <= latest:
        return None
    return f"{label} {moment:%Y-%m-%d} 不可信(应在 {EARLIEST_YEAR} 年到 {latest} 年之间)"


# An unencoded "+" of a UTC offset arrives as a space in a query string: "…T08:30 08:00".
_SPACED_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2}T[0-9:.,]+) (\d{2}(?::?\d{2})?)$")


def parse_w3c(raw: str):
    """A W3C date-time (https://www.w3.org/TR/NOTE-datetime: ``YYYY``, ``YYYY-MM``,
    ``YYYY-MM-DD``, ``…Thh:mm``, ``…Thh:mm:ss``, ``…Thh:mm:ss.s`` with ``Z`` or
    ``±hh:mm``; ISO 8601's ``±hhmm`` and ``±hh`` too) as an aware datetime; naive times
    and bare dates are local time (a date is its midnight). None when it does not parse.
    The offset's ``+`` may arrive as a space (unencoded in a query string)."""
    from dateutil.parser import isoparse
    from django.utils import timezone

    text = _SPACED_OFFSET.sub(r"\1+\2", (raw or "").strip())
    if not text:
        return None
    try:
        value = isoparse(text)
    except (ValueError, OverflowError):
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
