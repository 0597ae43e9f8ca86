"""A synthetic 12345 work-order file drawn from the generated city, for tests and the
benchmark (``manage.py make_hotline_file``).

Addresses come from the city's households and buildings, written the ways callers and
operators write them (district/street prefixes, 号 left out, spaces, 幢/号楼, 101 for
0101室, full-width digits), a compound with a landmark, or a road and house number
alone; a fifth of the orders carry the building's coordinates. The content follows the
catalogue entry (the case generator's word lists), and the category column holds our
catalogue name, a hotline-style path, the hotline's own wording or nothing.

``bad_share`` of the rows are wrong on purpose, in equal parts: a malformed received
time, empty content, an address that is not in the city (imported but not located), a
ticket number used twice, a malformed phone, a deadline before the received time, and
no ticket number. The same city, rows and seed give the same file.
"""

import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from catalog.models import MatterCategory
from exchange.hotline import FIELDS, system_mapping
from exchange.models import DEFAULT_DATE_FORMAT, HotlineSystem
from org.models import Building, Household, OrgNode
from simulate import case_texts as texts
from simulate import names

BAD_KINDS = (
    "bad_date",
    "empty_content",
    "unknown_address",
    "duplicate_ticket",
    "bad_phone",
    "deadline_before",
    "missing_ticket",
)
# Rejected by the import (every bad kind but the unknown address, which is imported
# without a grid).
REJECTED_KINDS = tuple(kind for kind in BAD_KINDS if kind != "unknown_address")
HOTLINE_WORDING = ("城乡建设", "咨询", "其他", "投诉", "求助", "建议", "综合")
UNKNOWN_ROADS = ("望星路", "凯旋大道", "滨江东路", "振兴大街", "工业园三路")
UNKNOWN_PLACES = ("幸福里", "金色港湾", "锦绣天地", "碧桂园", "万达广场")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
COLUMNS = (
    "ticket_no",
    "received_at",
    "caller",
    "phone",
    "address",
    "content",
    "category",
    "deadline",
    "lng",
    "lat",
)


@dataclass
class Place:
    address: str
    building: str  # the building's address
    compound: str
    road: str
    number: str
    building_no: str
    room: str
    prefixes: tuple[str, ...]  # district, street, community names
    lng: float | None
    lat: float | None


class HotlineFileGenerator:
    def __init__(
        self,
        rows: int,
        *,
        seed: int = 1,
        system: HotlineSystem | None = None,
        bad_share: float = 0.05,
        coordinate_share: float = 0.2,
        until: datetime | None = None,
        days: int = 30,
    ):
        self.rows = rows
        self.seed = seed
        self.rng = random.Random(seed)
        self.system = system
        self.bad_share = bad_share
        self.coordinate_share = coordinate_share
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        self.until = until or today
        self.days = days
        self.date_format = system.date_format if system else DEFAULT_DATE_FORMAT
        mapping = system_mapping(system) if system else {f.key: f.label for f in FIELDS}
        self.headers = [mapping[key] for key in COLUMNS]
        self.counts = dict.fromkeys(BAD_KINDS, 0)
        self._load()

    # -- the city --------------------------------------------------------------------------

    def _load(self) -> None:
        names_by_code = dict(OrgNode.objects.filter(grid_kind="").values_list("code", "name"))
        lengths = sorted({len(code) for code in names_by_code})
        grids = {}
        for pk, code, name in OrgNode.objects.exclude(grid_kind="").values_list(
            "pk", "code", "name"
        ):
            prefixes = tuple(names_by_code[code[:n]] for n in lengths if code[:n] in names_by_code)
            grids[pk] = (name.removesuffix("网格"), prefixes)
        buildings = {}
        for pk, grid_id, name, address, lng, lat in Building.objects.order_by("code").values_list(
            "pk", "grid_id", "name", "address", "lng", "lat"
        ):
            compound, prefixes = grids[grid_id]
            head, _, _ = address.partition("号")
            road = next((r for r in names.ROAD_NAMES if head.startswith(r)), "")
            number = head[len(road) :] if road else ""
            buildings[pk] = Place(
                address=address,
                building=address,
                compound=compound,
                road=road,
                number=number,
                building_no=name.removesuffix("栋") if name.endswith("栋") else "1",
                room="",
                prefixes=prefixes,
                lng=lng,
                lat=lat,
            )
        self.buildings = list(buildings.values())
        self.households = []
        for building_id, address, room in Household.objects.order_by("code").values_list(
            "building_id", "address", "room"
        ):
            place = buildings.get(building_id)
            if place is not None:
                self.households.append(
                    Place(**{**place.__dict__, "address": address, "room": room})
                )
        if not self.buildings:
            raise ValueError("the database has no city; run make_city first")
        self.categories = list(
            MatterCategory.objects.filter(is_active=True)
            .order_by("code")
            .values_list("code", "name", "group", "keywords")
        )

    # -- one row ---------------------------------------------------------------------------

    def _vary(self, text: str, place: Place) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            depth = rng.randint(1, len(place.prefixes)) if place.prefixes else 0
            text = "".join(place.prefixes[-depth:]) + text if depth else text
        if rng.random() < 0.2:
            text = text.replace("号", "", 1)
        if rng.random() < 0.1:
            text = text.replace("栋", rng.choice(["幢", "号楼"]), 1)
        if rng.random() < 0.1 and place.room and text.endswith(f"{place.room}室"):
            text = text[: -len(place.room) - 1] + str(int(place.room)) + rng.choice(["室", ""])
        if rng.random() < 0.15:
            cut = rng.randint(1, max(1, len(text) - 1))
            text = text[:cut] + " " + text[cut:]
        if rng.random() < 0.05:
            text = text.translate(FULL_WIDTH)
        return text

    def _address(self) -> tuple[str, Place]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6 and self.households:
            place = rng.choice(self.households)
            return self._vary(place.address, place), place
        place = rng.choice(self.buildings)
        if roll < 0.85:
            return self._vary(place.building, place), place
        if roll < 0.95:
            landmark = rng.choice(["东门", "南门", "小区门口", "停车场", "广场", "附近"])
            if rng.random() < 0.5:
                landmark = f"{place.building_no}栋{landmark}"
            return self._vary(place.compound + landmark, place), place
        return f"{place.road}{place.number}号{rng.choice(['门口', '对面', '旁边'])}", place

    def _content(self, category, place: Place) -> tuple[str, str]:
        rng = self.rng
        code, name, _group, keywords = category
        values = {
            "p": place.compound,
            "r": place.road or rng.choice(names.ROAD_NAMES),
            "b": f"{place.building_no}栋",
            "n": rng.randint(2, 7),
            "name": name,
            "kw": rng.choice(keywords or [name]),
            "kw2": rng.choice(keywords or [name]),
        }
        entry = texts.MATTERS.get(code)
        titles, details = (
            (entry[0], entry[1]) if entry else (texts.GENERIC_TITLES, texts.GENERIC_DETAILS)
        )
        title = rng.choice(titles).format(**values)
        opening = rng.choice(("来电人反映:", "市民来电反映:", "来电称:", ""))
        detail = rng.choice(details).format(**values)
        return title, f"{title}。{opening}{detail}{rng.choice(texts.CLOSINGS)}"

    def _category(self, category) -> str:
        code, name, group, _ = category
        roll = self.rng.random()
        if roll < 0.55:
            return name
        if roll < 0.7:
            return f"{group}>{name}"
        if roll < 0.85:
            return self.rng.choice(HOTLINE_WORDING)
        return ""

    def _phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return f"0796-{rng.randint(8000000, 8999999)}"
        return rng.choice(["13", "15", "17", "18", "19"]) + f"{rng.randrange(10**9):09d}"

    def _person(self) -> str:
        surnames = [s for s, _ in names.SURNAMES]
        given = "".join(
            self.rng.choice(names.GIVEN_MALE + names.GIVEN_FEMALE)
            for _ in range(self.rng.choice([1, 2]))
        )
        return self.rng.choice(surnames) + (given if self.rng.random() < 0.7 else "先生")

    def generate(self):
        """Yield rows as dicts of our field → value (datetimes for times)."""
        rng = self.rng
        span = timedelta(days=self.days).total_seconds()
        start = self.until - timedelta(days=self.days)
        times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(self.rows))
        tickets: list[str] = []
        for index, received in enumerate(times):
            received = received.replace(microsecond=0)
            # Like the hotline's own numbers: date and sequence; the seed keeps files apart.
            ticket = f"JA{received:%Y%m%d}{self.seed % 100:02d}{index + 1:06d}"
            address, place = self._address()
            category = rng.choice(self.categories)
            title, content = self._content(category, place)
            deadline = (
                received + timedelta(days=rng.choice([1, 3, 5, 10, 15]))
                if rng.random() < 0.8
                else None
            )
            row = {
                "ticket_no": ticket,
                "received_at": received,
                "caller": self._person(),
                "phone": self._phone(),
                "address": address,
                "content": content,
                "category": self._category(category),
                "deadline": deadline,
                "lng": None,
                "lat": None,
            }
            if (
                place.lng is not None
                and rng.random() < self.coordinate_share
                and ("栋" in address or "幢" in address or "号楼" in address)
            ):
                row["lng"], row["lat"] = place.lng, place.lat
            if rng.random() < self.bad_share:
                self._spoil(row, rng.choice(BAD_KINDS), tickets)
            else:
                tickets.append(row["ticket_no"])  # a good row's ticket may be repeated
            yield row

    def _spoil(self, row: dict, kind: str, tickets: list[str]) -> None:
        rng = self.rng
        if kind == "duplicate_ticket" and not tickets:
            kind = "empty_content"
        self.counts[kind] += 1
        if kind == "bad_date":
            row["received_at"] = rng.choice(
                ["2026-13-45 25:61:00", "昨天下午", "2026/02/30 10:00", "20261301"]
            )
        elif kind == "empty_content":
            row["content"] = ""
        elif kind == "unknown_address":
            row["address"] = (
                f"{rng.choice(UNKNOWN_ROADS)}{rng.randint(1, 999)}号"
                f"{rng.choice(UNKNOWN_PLACES)}{rng.randint(1, 30)}栋"
            )
            row["lng"] = row["lat"] = None
        elif kind == "duplicate_ticket":
            row["ticket_no"] = rng.choice(tickets[-500:])
        elif kind == "bad_phone":
            row["phone"] = rng.choice(["1381234abcd", "电话不详", "12"])
        elif kind == "deadline_before":
            row["deadline"] = row["received_at"] - timedelta(days=rng.randint(1, 5))
        elif kind == "missing_ticket":
            row["ticket_no"] = ""

    # -- files -------------------------------------------------------------------------------

    def _cells(self, row: dict, *, native_dates: bool) -> list:
        cells = []
        for key in COLUMNS:
            value = row[key]
            if isinstance(value, datetime):
                local = timezone.localtime(value).replace(tzinfo=None)
                value = (
                    local
                    if native_dates and key == "received_at"
                    else local.strftime(self.date_format)
                )
            cells.append("" if value is None else value)
        return cells

    def write(self, path, *, encoding: str = "utf-8-sig") -> None:
        path = str(path)
        if path.lower().endswith(".xlsx"):
            self.write_xlsx(path)
        else:
            self.write_csv(path, encoding=encoding)

    def write_csv(self, path, *, encoding: str = "utf-8-sig") -> None:
        with open(path, "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(self.headers)
            for row in self.generate():
                writer.writerow(self._cells(row, native_dates=False))

    def write_xlsx(self, path) -> None:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("工单")
        sheet.append(self.headers)
        for row in self.generate():
            sheet.append(self._cells(row, native_dates=True))
        workbook.save(path)
