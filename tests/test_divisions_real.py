"""The real divisions of each seed place (统计用区划代码, ../shared/data/real/) load into
their preset's empty tree: the counts per level, a second load that changes nothing, a
rename, and a village moved to another town that is reported and kept."""

import csv
from pathlib import Path

import pytest
from django.conf import settings

from exchange.importing import run_job
from exchange.models import ImportJob, JobStatus
from exchange.registers.divisions import DivisionSheet
from org.models import OrgNode
from presets.loader import do_load_preset

REAL = Path(settings.BASE_DIR).parent / "shared/data/real"
# preset → (file, nodes per level key, rows above/beside the preset's root)
PLACES = {
    "fuzhou": (
        "divisions_fuzhou_350100.csv",
        {"city": 1, "district": 13, "street": 186, "community": 3022},
        0,
    ),
    "zhangye": (  # the preset is 甘州区 620702; the file is the whole city of 张掖
        "divisions_zhangye_620700.csv",
        {"district": 1, "street": 24, "community": 279},
        715,
    ),
    "rongcheng": (
        "divisions_rongcheng_371082.csv",
        {"city": 1, "town": 22, "community": 839},
        0,
    ),
    "wugong": ("divisions_wugong_610431.csv", {"county": 1, "street": 8, "community": 192}, 0),
    "jizhou": ("divisions_jizhou_360802.csv", {"district": 1, "town": 12, "community": 138}, 0),
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def load(path: Path) -> ImportJob:
    job = ImportJob.objects.create(
        kind="divisions", source_name=path.name, status=JobStatus.RUNNING
    )
    job = run_job(job, DivisionSheet(None), path=path)
    assert job.status == JobStatus.DONE, job.message
    return job


def counts() -> dict[str, int]:
    result: dict[str, int] = {}
    for key in OrgNode.objects.values_list("level__key", flat=True):
        result[key] = result.get(key, 0) + 1
    return result


def edited(source: Path, tmp_path: Path, change) -> Path:
    with source.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    change(rows)
    path = tmp_path / f"edited-{source.name}"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("key", list(PLACES))
def test_a_place_s_real_divisions_load_into_its_preset(db, tmp_path, key):
    name, per_level, skipped = PLACES[key]
    source = REAL / name
    if not source.is_file():
        pytest.skip(f"the shared real data is absent: {source} (see shared/data/real/README.md)")
    do_load_preset(key)
    assert not OrgNode.objects.exists()

    first = load(source)
    assert counts() == per_level
    nodes = sum(per_level.values())
    assert (first.created, first.failed, first.skipped) == (nodes, 0, skipped)
    assert first.report == [] and not first.error_file

    again = load(source)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, nodes, 0)
    assert again.report == [] and counts() == per_level

    root = OrgNode.objects.get(parent=None).code
    village_depth = OrgNode.objects.order_by("-level__depth").values_list(
        "level__depth", flat=True
    )[0]
    towns = list(OrgNode.objects.filter(level__depth=village_depth - 1).order_by("code"))
    village = OrgNode.objects.filter(parent=towns[0]).order_by("code").first()
    published = village.code.ljust(12, "0")

    def rename(rows):
        for row in rows:
            if row["code"] == published:
                row["name"] = village.name + "(更名)"

    renamed = load(edited(source, tmp_path, rename))
    assert (renamed.updated, renamed.created, renamed.failed) == (1, 0, 0)
    assert [(e["kind"], e["code"]) for e in renamed.report] == [("renamed", village.code)]
    village.refresh_from_db()
    assert village.name.endswith("(更名)")

    # The village now belongs to the second town, with a number of that town (the
    # published 12-digit form); the file no longer has it under the first town.
    new_code = f"{towns[1].code}998"

    def move(rows):
        for row in rows:
            if row["code"] == published:
                row["code"], row["parent_code"] = new_code, towns[1].code.ljust(12, "0")
                row["name"] = village.name  # as renamed above

    moved = load(edited(source, tmp_path, move))
    assert (moved.created, moved.failed) == (1, 0)
    assert [(e["kind"], e["code"]) for e in moved.report] == [("moved", village.code)]
    assert new_code in moved.report[0]["detail"]
    assert OrgNode.objects.filter(pk=village.pk).exists()  # reported, never deleted
    assert OrgNode.objects.get(code=new_code).parent == towns[1]
    assert root == OrgNode.objects.get(parent=None).code
