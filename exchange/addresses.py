"""Address → grid, matched against the base information (households, buildings, compounds).

Hotline operators type addresses as callers say them: with or without the district and
street in front, 号 left out, spaces, full-width digits, 幢 or 号楼 for 栋, 101 for 0101室.
``normalise`` folds those variations; the index is built once (three dictionary lookups
per row instead of LIKE queries) and kept per process until the base information changes.

Lookups, most specific first:
1. the whole address of a household or building;
2. a building: its full address or compound + building number (「桂梅家园1栋」), found
   at any position of the text, so a district/street/community prefix does not matter;
3. a compound (the grid's 小区/自然村 name) or a road and house number alone.
A key shared by several grids is ambiguous; the text's street or community name picks
one when it names it, otherwise the address stays unmatched rather than guessed.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Max

from org.models import Building, Household, OrgNode

CHINESE_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_PUNCTUATION = re.compile(r"[\s,，。.、·•_()（）\[\]【】<>《》\"'“”‘’#:：;；/\\]+")
_CN_NUMBER = re.compile(r"(十?[一二两三四五六七八九]?十?)(栋|幢|单元|号楼|座)")
_BUILDING = re.compile(r"(\d+)(?:号楼|栋楼|幢|座|栋)")
_NUMBER_HAO = re.compile(r"(\d+)号(?!楼)")
_ROOM = re.compile(r"(栋|单元)-?0*(\d+)(?:室|房|号房)?$")
_ROAD_NUMBER = re.compile(r"^(.+?(?:路|街|大道|巷|道|弄|里))(\d+)(?!\d)(.*)$")
_UP_TO_BUILDING = re.compile(r"^(.*?\d+栋)")
MIN_COMPOUND = 2
MAX_COMPOUND = 12


def _cn_number(match) -> str:
    text, unit = match.group(1), match.group(2)
    if not text:
        return match.group(0)
    value = 0
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (CHINESE_DIGITS.get(tens, 1) if tens else 1) * 10 + CHINESE_DIGITS.get(ones, 0)
    else:
        value = CHINESE_DIGITS.get(text, 0)
    return f"{value}{unit}" if value else match.group(0)


def normalise(address: str) -> str:
    """A form of an address where the usual ways of writing it agree."""
    text = unicodedata.normalize("NFKC", address or "").lower()
    text = text.replace("號", "号").replace("楝", "栋")
    text = _PUNCTUATION.sub("", text)
    text = _CN_NUMBER.sub(_cn_number, text)
    text = _BUILDING.sub(r"\1栋", text)
    text = _NUMBER_HAO.sub(r"\1", text)
    text = _ROOM.sub(lambda m: f"{m.group(1)}{int(m.group(2))}", text)
    return text.replace("-", "")


AMBIGUOUS = None  # a key several grids share


@dataclass(frozen=True)
class Match:
    grid_code: str
    how: str  # "address", "building", "compound", "road"


class AddressIndex:
    """Normalised keys → grid code, built from the base information in a few queries."""

    def __init__(self):
        self.exact: dict[str, str | None] = {}
        self.buildings: dict[str, str | None] = {}
        self.compounds: dict[str, str | None] = {}
        self.roads: dict[str, str | None] = {}
        # For ambiguous keys: every grid that has it, to pick by street/community name.
        self.candidates: dict[tuple[str, str], set[str]] = {}
        self.places: dict[str, tuple[str, ...]] = {}  # grid code → its ancestors' names
        self.compound_of: dict[str, str] = {}  # grid code → its compound's name

    @staticmethod
    def _add(table: dict, key: str, code: str, candidates: dict, kind: str) -> None:
        if not key:
            return
        known = table.get(key, "")
        if known == "":
            table[key] = code
        elif known != code:
            table[key] = AMBIGUOUS
        candidates.setdefault((kind, key), set()).add(code)

    @classmethod
    def build(cls) -> "AddressIndex":
        index = cls()
        grids = {}
        names = {
            code: normalise(name)
            for code, name in OrgNode.objects.filter(grid_kind="").values_list("code", "name")
        }
        lengths = sorted({len(code) for code in names})
        for pk, code, name in OrgNode.objects.exclude(grid_kind="").values_list(
            "pk", "code", "name"
        ):
            grids[pk] = code
            index.places[code] = tuple(
                names[code[:n]] for n in lengths if n < len(code) and code[:n] in names
            )
            compound = name.removesuffix("网格")
            index.compound_of[code] = normalise(compound)
            if len(compound) >= MIN_COMPOUND:
                index._add(index.compounds, normalise(compound), code, index.candidates, "c")
        for grid_id, address in Building.objects.values_list("grid_id", "address"):
            code = grids.get(grid_id)
            if code is None or not address:
                continue
            key = normalise(address)
            index._add(index.exact, key, code, index.candidates, "e")
            index._add(index.buildings, key, code, index.candidates, "b")
            parts = _ROAD_NUMBER.match(key)
            if parts:
                road, number, rest = parts.groups()
                if rest:
                    index._add(index.buildings, rest, code, index.candidates, "b")
                index._add(index.roads, road + number, code, index.candidates, "r")
        for grid_id, address in Household.objects.values_list("grid_id", "address").iterator(
            chunk_size=5000
        ):
            code = grids.get(grid_id)
            if code is not None and address:
                index._add(index.exact, normalise(address), code, index.candidates, "e")
        # Keys that only one grid has need no candidate list.
        index.candidates = {key: codes for key, codes in index.candidates.items() if len(codes) > 1}
        return index

    def _pick(self, kind: str, key: str, text: str) -> str | None:
        """One of the grids sharing an ambiguous key: the one the text (address, and the
        order's content when given) names best by its compound, street or community,
        when that is a single grid."""

        def score(code):
            own = self.compound_of.get(code, "")
            named = sum(1 for name in self.places.get(code, ()) if name and name in text)
            return named + (2 if own and own in text else 0)

        scores = {code: score(code) for code in self.candidates.get((kind, key), ())}
        best = max(scores.values(), default=0)
        winners = [code for code, value in scores.items() if value == best]
        return winners[0] if best and len(winners) == 1 else None

    def _get(self, table: dict, kind: str, key: str, text: str) -> str | None:
        if key not in table:
            return None
        code = table[key]
        return code if code is not AMBIGUOUS else self._pick(kind, key, text)

    def match(self, address: str, hint: str = "") -> Match | None:
        """The grid of an address; ``hint`` (the order's content) only helps choose
        between grids that share a key, it never places an order by itself."""
        text = normalise(address or "")
        if len(text) < MIN_COMPOUND:
            return None
        context = text + "|" + normalise(hint) if hint else text
        code = self._get(self.exact, "e", text, context)
        if code:
            return Match(code, "address")
        building = _UP_TO_BUILDING.match(text)
        if building:
            head = building.group(1)
            for start in range(len(head)):
                code = self._get(self.buildings, "b", head[start:], context)
                if code:
                    return Match(code, "building")
        # A compound name anywhere in the text, the longest first.
        for length in range(min(MAX_COMPOUND, len(text)), MIN_COMPOUND - 1, -1):
            for start in range(len(text) - length + 1):
                code = self._get(self.compounds, "c", text[start : start + length], context)
                if code:
                    return Match(code, "compound")
        for start in range(len(text)):
            parts = _ROAD_NUMBER.match(text[start:])
            if parts is None:
                break
            code = self._get(self.roads, "r", parts.group(1) + parts.group(2), context)
            if code:
                return Match(code, "road")
        return None


def base_version() -> tuple:
    """Changes whenever a household, building or grid is added, removed or saved."""
    parts = []
    for queryset in (Household.objects, Building.objects, OrgNode.objects):
        row = queryset.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
        parts.append((row["n"], row["top"], row["last"]))
    return tuple(parts)


class _Cache:
    def __init__(self):
        self._lock = threading.Lock()
        self._version = None
        self._index: AddressIndex | None = None

    def get(self) -> AddressIndex:
        version = base_version()
        with self._lock:
            if self._index is None or version != self._version:
                self._index, self._version = AddressIndex.build(), version
            return self._index

    def clear(self) -> None:
        with self._lock:
            self._index, self._version = None, None


address_index = _Cache()
