"""Reading numbers typed into page forms, where anything may arrive."""

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
