"""The one masker for text that leaves the staff's hands: public pages, Open311, notices to
residents and exports without the reveal right. Any app may import it (the bottom layer of
pyproject's ``[tool.importlinter]`` contracts).

``mask_text(text)`` finds, in free text written by residents and staff,

- phone numbers: mobiles with any separators (space, ``-``, ``.``, parentheses) and a
  ``+86`` / ``0086`` / ``86`` prefix; landlines with their area code (``(0796) 822-1234``,
  ``0796-8221234``, ``010 1234 5678``); any number after a word such as 电话 / 手机 / QQ;
- 18-character ID numbers (with the ``X`` check digit);
- digit runs of 12 or more (bank cards, accounts, meters: nothing that long is ordinary)
  and cards written in groups of four;
- e-mail addresses,

and masks each so that the reader still knows what it was: ``138****8000``,
``0796-****1234``, ``3501**********123X``, ``6222 **** **** 0123``, ``ab***@x.com``.
House numbers (``3栋2单元501``), dates, amounts, postcodes and case numbers
(``JZ-20250301-000123``) stay as written.

Phone numbers are recognised by Google's libphonenumber (the ``phonenumbers`` package,
``PhoneNumberMatcher`` for region CN at ``Leniency.VALID``): it knows the CN area codes and
mobile ranges, so an eight-digit date or a postcode is not taken for a number, and it reads
international prefixes and full-width parentheses. A mobile of an unassigned range, which it
rightly calls invalid, is still masked by the shape ``1[3-9]x xxxx xxxx``. Toll-free and
shared-cost service lines (800 / 400 numbers) are businesses, not persons: kept.
"""

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

_SERVICE_LINES = {PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST}

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_LONG_RUN = re.compile(r"(?<!\d)\d{12,}(?!\d)")
_CARD_GROUPS = re.compile(r"(?<![\d])\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?(?![\d])")
_MOBILE_SHAPE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)?86[\s.\-]*)?(?:[(（]\s*)?1[3-9]\d(?:\s*[)）])?"
    r"\s*[.\-]?\s*\d{4}\s*[.\-]?\s*\d{4}(?!\d)"
)
# Seven digits or more, whatever stands between them: the shortest phone number (a local
# landline number with its area code is longer still).
_SEVEN_DIGITS = re.compile(r"\d(?:\D{0,3}\d){6,}")
# A number after the word that announces it: whatever its shape, it is someone's.
_ANNOUNCED = re.compile(
    r"(?i)(?:电话|手机|座机|联系方式|联系电话|号码|tel|phone|qq|微信号?)[号是为:：\s]*"
    r"(\+?\d[\d\s.\-()（）]{3,}\d)"
)
# Case numbers and other codes: letters, a hyphen and digit groups. Never masked.
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,10}(?:-\d+)+")


def mask_phone(phone: str) -> str:
    """A phone field: 13812341234 -> 138****1234; a short number keeps its last two digits."""
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * (len(phone) - 2) + phone[-2:]


def mask_id_number(id_number: str) -> str:
    """350102199001011234 -> 3501**********1234."""
    if not id_number:
        return ""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_name(name: str) -> str:
    """张小明 -> 张**: enough for a volunteer to greet, not to look the person up."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_address(address: str) -> str:
    """新华路144号民康新村1栋0101室 -> 新华路144号民康新****: the first half of the address,
    enough to recognise the street, not to find the door."""
    if not address:
        return ""
    keep = max(2, len(address) // 2)
    return address[:keep] + "****"


def mask_email(address: str) -> str:
    """abcdef@x.com -> ab***@x.com (one character kept of a local part of two or less)."""
    local, _, domain = address.rpartition("@")
    keep = 2 if len(local) > 2 else 1
    return f"{local[:keep]}***@{domain}"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _mask_mobile(digits: str) -> str:
    return f"{digits[:3]}****{digits[-4:]}"


def _mask_number(number) -> str:
    """A parsed phone number: a CN mobile as 138****8000, a CN landline as 0796-****1234,
    any other as +CC ****1234."""
    national = str(number.national_number)
    if number.country_code != 86:
        return f"+{number.country_code} ****{national[-4:]}"
    if phonenumbers.number_type(number) == PhoneNumberType.MOBILE or (
        len(national) == 11 and national.startswith("1")
    ):
        return _mask_mobile(national)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return f"0{national[:area]}-****{national[-4:]}"
    return f"****{national[-4:]}"


def _mask_digits(raw: str) -> str:
    """A number found by its shape or its announcing word: a mobile as 138****8000, else
    all but its last two digits hidden."""
    digits = _digits(raw)
    if len(digits) >= 11 and re.fullmatch(r"(?:0{0,2}86)?1[3-9]\d{9}", digits):
        return _mask_mobile(digits[-11:])
    return "*" * max(len(digits) - 2, 3) + digits[-2:]


def _mask_run(raw: str) -> str:
    digits = _digits(raw)
    return f"{digits[:4]} **** **** {digits[-4:]}"


def _spans(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, replacement), the first finder to claim a span winning:
    e-mails, codes (kept as they are), ID numbers, phone numbers, long runs and
    cards, numbers after their announcing word."""
    taken: list[tuple[int, int, str | None]] = []

    def claim(start: int, end: int, replacement: str | None) -> None:
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, replacement))

    for m in _EMAIL.finditer(text):
        claim(m.start(), m.end(), mask_email(m.group()))
    for m in _CODE.finditer(text):
        claim(m.start(), m.end(), None)
    for m in _ID_NUMBER.finditer(text):
        claim(m.start(), m.end(), mask_id_number(m.group()))
    if _SEVEN_DIGITS.search(text):  # the matcher costs ~0.5 ms a text: only where it may find
        for match in PhoneNumberMatcher(text, "CN", leniency=Leniency.VALID):
            if phonenumbers.number_type(match.number) not in _SERVICE_LINES:
                claim(match.start, match.end, _mask_number(match.number))
    for m in _MOBILE_SHAPE.finditer(text):
        claim(m.start(), m.end(), _mask_digits(m.group()))
    for m in _LONG_RUN.finditer(text):
        claim(m.start(), m.end(), _mask_run(m.group()))
    for m in _CARD_GROUPS.finditer(text):
        claim(m.start(), m.end(), _mask_run(m.group()))
    for m in _ANNOUNCED.finditer(text):
        if len(_digits(m.group(1))) >= 5:
            claim(m.start(1), m.end(1), _mask_digits(m.group(1)))
    return sorted((s, e, r) for s, e, r in taken if r is not None)


def mask_text(text: str | None) -> str:
    """``text`` with phone, ID, card and account numbers and e-mail addresses masked
    (see the module's docstring); "" for None."""
    if not text:
        return ""
    out, at = [], 0
    for start, end, replacement in _spans(text):
        out.append(text[at:start])
        out.append(replacement)
        at = end
    out.append(text[at:])
    return "".join(out)
