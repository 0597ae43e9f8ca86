"""Helpers shared by the register sheets: yes/no cells, list cells, phones and ID numbers,
and the rule that a masked value read back from one of our own exports means "unchanged"."""

import re

from exchange.importing import RowError
from exchange.tabular import text

YES = {"是", "y", "yes", "true", "1", "启用", "正常", "有效", "√"}
NO = {"否", "n", "no", "false", "0", "停用", "禁用", "无效", "×"}
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def yes_no(value, label: str) -> bool | None:
    """True/False, or None when the cell is empty."""
    word = text(value).lower()
    if not word:
        return None
    if word in YES:
        return True
    if word in NO:
        return False
    raise RowError(f"{label}「{text(value)}」应填 是 或 否")


def word_list(value) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text(value)) if part]


def is_masked(value: str) -> bool:
    return "*" in value


def phone_cell(value, label: str = "手机号") -> str:
    """A phone number, or a masked one (kept as "unchanged" by the caller)."""
    phone = re.sub(r"[\s]+", "", text(value))
    if not phone or is_masked(phone):
        return phone
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise RowError(f"{label}「{phone}」格式不对")
    return phone


def id_number_cell(value) -> str:
    """An 18-character resident ID number with a valid check digit, or a masked one."""
    number = text(value).upper().replace(" ", "")
    if not number or is_masked(number):
        return number
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise RowError(f"身份证号「{number}」应为 18 位")
    check = "10X98765432"[
        sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11
    ]
    if number[-1] != check:
        raise RowError(f"身份证号「{number}」校验位不对")
    return number


def masked_matches(masked: str, value: str) -> bool:
    """Whether a masked value (3501**********1234) could be ``value``."""
    return len(masked) == len(value) and all(
        m == "*" or m == v for m, v in zip(masked, value, strict=True)
    )


def first_line_check(seen: dict, key, line: int, values: tuple, what: str) -> None:
    """Rows of one file that describe the same thing must agree on it."""
    first = seen.setdefault(key, (line, values))
    if first[0] != line and first[1] != values:
        raise RowError(f"与第 {first[0]} 行的{what}不一致")
