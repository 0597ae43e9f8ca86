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


# -- checking a node's code ---------------------------------------------------------------

# GB/T 2260 and the statistics bureau's 统计用区划代码 publish codes as 2 (province),
# 4 (city), 6 (county), 9 (town) and 12 (village) digits, and often right-pad the shorter
# ones with zeros to 12 (350102000000 for 鼓楼区 350102).
PUBLISHED_LENGTHS = (2, 4, 6, 9, 12)
PADDED_LENGTH = 12


class CodeError(ValueError):
    """A node code that breaks the scheme; ``reason`` is the Chinese sentence people read."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def digits(raw) -> str:
    """The code as text of ASCII digits (a number cell such as 3.50102e+11 or 350102.0 from
    Excel read back as its digits); raises CodeError for anything else."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    code = str(raw if raw is not None else "").strip()
    if not code:
        raise CodeError("编码为空")
    if not (code.isascii() and code.isdigit()):
        raise CodeError(f"编码「{code}」只能由数字 0-9 组成")
    return code


def unpad(code: str, lengths) -> str:
    """A 12-digit right-padded code cut to the shortest of ``lengths`` after which it is
    all zeros (350102000000 with (4, 6, 9, 12) → 350102); any other code as it is."""
    if len(code) != PADDED_LENGTH:
        return code
    for length in sorted(lengths):
        if length < len(code) and not code[length:].strip("0"):
            return code[:length]
    return code


def node_code(raw, *, parent_code: str, width: int, level_name: str = "") -> str:
    """The unified code of a node on a level that adds ``width`` digits to ``parent_code``
    (``""`` for the root), from what a person or a file gave: digits only, starting with
    the parent's code, exactly ``len(parent_code) + width`` digits, its own segment not all
    zeros. A 12-digit right-padded code (the published form) is cut to that length.

    The one rule for the admin (``OrgNode.clean``), the division import and its API
    (org.codes is the scheme's home: a subtree is a prefix). Raises CodeError.
    """
    code = digits(raw)
    length = len(parent_code) + width
    if len(code) == PADDED_LENGTH and len(code) > length and not code[length:].strip("0"):
        code = code[:length]
    if not code.startswith(parent_code):
        raise CodeError(f"编码 {code} 应以上级编码 {parent_code} 开头")
    level = f"「{level_name}」级" if level_name else "这一级"
    if len(code) != length:
        parent = f"上级编码 {parent_code} 加 {width} 位" if parent_code else f"{width} 位"
        raise CodeError(f"{level}的编码应为 {length} 位({parent}), {code} 是 {len(code)} 位")
    if parent_code and not code[len(parent_code) :].strip("0"):
        raise CodeError(f"编码 {code} 本级的 {width} 位不能全是 0")
    return code
