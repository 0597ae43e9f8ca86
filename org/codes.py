"""Unified codes (统一编号赋码) and subtree queries.

A node's code is its parent's code followed by a fixed-width, zero-padded
suffix whose width the preset gives per level (``Level.code_width``), so the
code of every descendant starts with the code of its ancestor and a subtree
is a prefix query on one indexed column.
"""

from django.db import connection
from django.db.models import Q


def child_code(parent_code: str, width: int, number: int) -> str:
    if not 0 < number < 10**width:
        raise ValueError(f"number {number} does not fit a {width}-digit code segment")
    return f"{parent_code}{number:0{width}d}"


def subtree_q(prefix: str, field: str = "code") -> Q:
    """Rows whose ``field`` starts with ``prefix``, written so the index on it is used.

    PostgreSQL serves ``LIKE 'p%'`` from the varchar_pattern_ops index Django
    creates for indexed CharFields. SQLite's LIKE is case-insensitive and so
    skips a BINARY index; a half-open range on the digits does not: every code
    in the subtree lies in [prefix, prefix + ':'), ':' being the character after '9'.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + ":"})
    return Q(**{f"{field}__startswith": prefix})


def any_subtree_q(prefixes, field: str = "code") -> Q:
    """Rows inside any of the subtrees; no prefixes means no rows."""
    query = Q(pk__in=[])
    for prefix in collapse_prefixes(prefixes):
        query |= subtree_q(prefix, field)
    return query


def ancestor_prefixes(codes) -> list[str]:
    """Every prefix of the codes: with ``code__in`` it finds the nodes above them."""
    return sorted({code[:end] for code in codes for end in range(1, len(code) + 1)})


def collapse_prefixes(prefixes) -> list[str]:
    """Drop prefixes already covered by a shorter one: ['35', '3501'] -> ['35']."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not kept or not prefix.startswith(kept[-1]):
            kept.append(prefix)
    return kept
