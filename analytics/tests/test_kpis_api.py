"""``GET /api/v1/stats/kpis/`` over real HTTP: figures, scope, errors, downloads, schema."""

import csv
import datetime as dt
import io
import urllib.request

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from analytics.kpis import KPI_FIELDS
from cases.actions import Report, do_case_action, do_create_case
from org.models import OrgNode, User
from tests.conftest import Http

GRID = "360802001001001"
STREET = GRID[:9]
OTHER_STREET = "360802002"
AT = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def figures(live_city):
    grid = User.objects.get(username="demo-grid")
    for i in range(3):
        case = do_create_case(
            Report(title="路灯不亮了", channel="grid_report", grid_code=GRID),
            actor=grid,
            at=AT + dt.timedelta(days=i),
        )
        if i < 2:
            case = do_case_action(
                case.pk, "handle", actor=grid, version=1, at=AT + dt.timedelta(days=i, hours=1)
            )
            do_case_action(
                case.pk,
                "resolve",
                actor=grid,
                version=2,
                data={"result": "已修复"},
                at=AT + dt.timedelta(days=i, hours=5),
            )
    return live_city


def _download(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, response.read()


def test_headline_and_groups(figures):
    street = Http(figures).login("demo-street")
    status, body = street.get(f"/api/v1/stats/kpis/?node={STREET}&from=2026-11-01&to=2026-11-30")
    assert status == 200, body
    (row,) = body["rows"]
    assert set(KPI_FIELDS) <= set(row) and row["key"] == STREET
    assert (row["received"], row["accepted"], row["closed"]) == (3, 2, 2)
    assert row["closure_rate"] == 1 and row["response_rate"] == pytest.approx(2 / 3)
    assert row["avg_handling_seconds"] == 5 * 3600
    assert body["fields"]["response_rate"] == "响应率"
    status, body = street.get(
        f"/api/v1/stats/kpis/?node={STREET}&from=2026-11-01&to=2026-11-30&group_by=day"
    )
    assert status == 200 and len(body["rows"]) == 30
    assert [r["received"] for r in body["rows"][1:4]] == [1, 1, 1]


def test_default_period_is_this_month_so_far(figures):
    grid = Http(figures).login("demo-grid")
    status, body = grid.get("/api/v1/stats/kpis/")
    today = timezone.localdate()
    assert status == 200, body
    assert (body["from"], body["to"]) == (str(today.replace(day=1)), str(today))
    assert body["node"] == GRID


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("node=360802001&from=2026-13-01", 400, "from"),
        ("node=360802001&from=2026-11-30&to=2026-11-01", 400, "to"),
        ("node=360802001&from=2020-01-01&to=2026-11-01", 400, "from"),
        ("node=360802001&from=9999-12-31&to=9999-12-31", 400, "from"),
        ("node=360802001&from=2026-11-01&to=2026-11-01extra", 400, "to"),
        ("node=360802001&group_by=planet", 400, "group_by"),
        ("node=360802001&format=pdf", 400, "format"),
        ("node=999999", 404, "node"),
        (f"node={OTHER_STREET}", 403, None),
        ("node=PARENT", 403, None),  # above the street: not theirs
    ],
)
def test_refusals_are_json_in_chinese(figures, query, status, field):
    street = Http(figures).login("demo-street")
    query = query.replace("PARENT", OrgNode.objects.get(code=STREET).parent.code)
    answer, body = street.get(f"/api/v1/stats/kpis/?{query}")
    assert answer == status, body
    assert body["detail"] and not body["detail"].isascii()
    if field:
        assert field in body["errors"]


def test_people_without_the_verb_are_refused(figures):
    for username in ("demo-resident", "demo-dept"):
        status, body = Http(figures).login(username).get(f"/api/v1/stats/kpis/?node={GRID}")
        assert status == 403, (username, body)
    status, body = Http(figures).get(f"/api/v1/stats/kpis/?node={GRID}")
    assert status in (401, 403) and body["code"]


def test_csv_and_xlsx_carry_the_same_table(figures):
    street = Http(figures).login("demo-street")
    query = f"/api/v1/stats/kpis/?node={STREET}&from=2026-11-01&to=2026-11-30&group_by=child"
    status, body = street.get(query)
    assert status == 200
    headers, raw = _download(figures, street.token, query + "&format=csv")
    assert headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:4] == ["编码", "下级", "收件量", "受理量"]
    assert [r[0] for r in table[1:]] == [r["key"] for r in body["rows"]]
    assert [int(r[2]) for r in table[1:]] == [r["received"] for r in body["rows"]]
    headers, raw = _download(figures, street.token, query + "&format=xlsx")
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(raw)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == table[0]
    assert [r[2] for r in rows[1:]] == [r["received"] for r in body["rows"]]


def test_in_the_openapi_schema(figures):
    status, schema = Http(figures).login("demo-admin").get("/api/v1/schema/?format=json")
    assert status == 200
    operation = schema["paths"]["/api/v1/stats/kpis/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"node", "from", "to", "group_by", "format"} <= names
