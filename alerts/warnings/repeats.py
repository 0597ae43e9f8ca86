"""Repeats: the same phone or the same address complaining ``REPEAT_COUNT`` times (platform
default 3, issue 13) within ``REPEAT_WINDOW_DAYS`` (30) days, signalled on a day that
brought one of those cases.

Phones are compared by their digits (full-width digits read as digits, separators dropped,
a ``+86``/``0086``/``86`` prefix of a mobile dropped): ``+86 138-0013-8000`` and
``13800138000`` are one caller. Addresses are compared after Unicode NFKC (full-width
letters and digits become half-width), lower case, and without spaces and punctuation:
``文山路 3 号，2栋`` and ``文山路3号2栋`` are one place. The warning's subject is a hash of
the normalised value, and its title and reason show it masked (``138****8000``,
``文山路3号****``), without case numbers (the same caller may have phoned about
other grids, which the warning's readers may not see): the latest case is its evidence.

Two queries per day: the window's phones and addresses (in a run over many days, only
the days not read yet), then the flagged cases.
"""

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from alerts.warnings.common import grid_owners, held_days, local_day
from alerts.warnings.settings import REPEAT_COUNT, REPEAT_WINDOW_DAYS
from cases.models import Case
from gridgov.early_warning import Signal
from gridgov.masking import mask_address, mask_phone

KIND = "alerts.repeat"
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
MIN_ADDRESS = 4  # shorter addresses ("本村") name no one place


def normalise_phone(phone: str) -> str:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone or "") if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    return digits if len(digits) >= 7 else ""


def normalise_address(address: str) -> str:
    text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", address or "").lower())
    return text if len(text) >= MIN_ADDRESS else ""


def _about(rows: list[dict], latest: dict) -> str:
    """What tells one repeat from another without unmasking it: the grid of the latest
    case, the catalogue group complained about most, the first and last day and the count,
    e.g. 「民康新村网格 · 市容环境 · 11-02至11-28 · 8 次」."""
    groups = Counter(row["category__group"] for row in rows if row["category__group"])
    days = sorted(local_day(row["created_at"]) for row in rows)
    parts = [latest["grid__name"] or "", groups.most_common(1)[0][0] if groups else ""]
    parts.append(f"{days[0]:%m-%d}至{days[-1]:%m-%d}")
    parts.append(f"{len(rows)} 次")
    return " · ".join(part for part in parts if part)


def _digest(kind: str, value: str) -> str:
    return f"{kind}={hashlib.sha256(value.encode()).hexdigest()[:16]}"


Entries = dict[tuple[str, str], list[tuple[int, str]]]


def _read(start, end, entries_by_day) -> None:
    """The cases of ``[start, end)`` by local day, as ``{("phone" | "address", normalised
    value): [(case pk, address as written), …]}``, merged duplicates left out."""
    rows = (
        Case.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(Q(reporter_phone="") & Q(address=""))
        .order_by("created_at", "pk")
        .values_list("pk", "reporter_phone", "address", "created_at", "merged_into_id")
    )
    for pk, phone, address, created_at, merged_into in rows:
        entries = entries_by_day.get(local_day(created_at))
        # Merged duplicates are picked here (see reverse._hotline_rows).
        if merged_into is not None or entries is None:
            continue
        for key in (("phone", normalise_phone(phone)), ("address", normalise_address(address))):
            if key[1]:
                entries[key].append((pk, address))


def repeats(day: dt.date) -> Iterable[Signal]:
    """The rule (``register_rule("alerts.repeat", …)``): the keys of ``day``'s cases seen
    ``REPEAT_COUNT`` times or more in the window."""
    window: list[Entries] = held_days(KIND, day, REPEAT_WINDOW_DAYS, _read)
    flagged: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for key in window[-1]:
        entries = [entry for held in window for entry in held.get(key, ())]
        if len(entries) >= REPEAT_COUNT:
            flagged[key] = entries
    if not flagged:
        return []
    wanted = {pk for entries in flagged.values() for pk, _ in entries}
    cases = {
        row["pk"]: row
        for row in Case.objects.filter(pk__in=wanted).values(
            "pk",
            "number",
            "grid_id",
            "grid__code",
            "grid__name",
            "org_code",
            "category__group",
            "created_at",
        )
    }
    owners = grid_owners({row["grid_id"] for row in cases.values() if row["grid_id"]})
    signals = []
    for (what, value), entries in sorted(flagged.items()):
        pks = [pk for pk, _ in entries]
        latest = cases[max(pks)]
        # An address is shown as first written in the window, masked.
        masked = mask_phone(value) if what == "phone" else mask_address(entries[0][1])
        label = "电话" if what == "phone" else "地址"
        about = _about([cases[pk] for pk in pks], latest)
        signals.append(
            Signal(
                kind=KIND,
                subject=_digest(what, value),
                node_code=latest["grid__code"] or latest["org_code"],
                title=f"重复投诉：{label} {masked}（{about}）",
                reason=f"同一{label}（{masked}）近{REPEAT_WINDOW_DAYS}天反映 {len(pks)} 次",
                evidence_url=reverse("cases:detail", args=[latest["pk"]]),
                owner_id=owners.get(latest["grid_id"]),
                severity="red" if len(pks) >= 2 * REPEAT_COUNT else "yellow",
                figures={
                    "day": day.isoformat(),
                    "by": what,
                    "count": len(pks),
                    "window_days": REPEAT_WINDOW_DAYS,
                },
            )
        )
    return signals
