"""The division and grid import (exchange.registers.divisions) on the tiny Jizhou city:
codes checked by the admin's rule, rows never silently dropped, idempotent, renames
reported, nodes the file leaves out reported and kept; the command, the API, and the
district leader seeing what was imported."""

import csv

from django.core.management import call_command

from exchange.access import may_import
from exchange.jobs import execute_job
from exchange.models import ImportJob, JobStatus
from exchange.tests.conftest import user
from org.models import GridKind, OrgNode

HEADER = ["编码", "名称", "上级编码", "层级", "网格类型"]


def write(tmp_path, rows, name="divisions.csv", header=HEADER):
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path, username="demo-leader"):
    job = ImportJob.objects.create(
        kind="divisions", user=user(username), source_name=path.name, status=JobStatus.QUEUED
    )
    return execute_job(job.pk, path=path)


def error_rows(job):
    with open(job.error_file.path, encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    return rows[0], rows[1:]


def root():
    return OrgNode.objects.get(parent=None)


def a_community():
    return OrgNode.objects.filter(level__depth=2).order_by("code").first()


def test_bad_codes_go_to_the_error_file_with_their_reason(db, city, tmp_path):
    top = root().code
    path = write(
        tmp_path,
        [
            ["ABC", "字母街道", top, "town", ""],
            [f"{top}099001", "十二位街道", top, "town", ""],  # a village code at the town level
            [f"{top}099000", "补零街道", f"{top}000000", "town", ""],  # padded: normalised
            ["360803001", "邻区街道", "360803", "town", ""],  # beside the root: skipped
            ["360800000000", "吉安市", "360000000000", "city", ""],  # above it: skipped
            [f"{top}098", "", top, "", ""],
        ],
    )
    job = run(path)
    assert job.status == JobStatus.DONE
    assert (job.created, job.failed, job.skipped) == (1, 3, 2)
    assert OrgNode.objects.get(name="补零街道").code == f"{top}099"
    header, rows = error_rows(job)
    reasons = {row[1]: row[-1] for row in rows}
    assert "只能由数字 0-9 组成" in reasons["字母街道"]
    assert "应为 9 位" in reasons["十二位街道"]
    assert reasons[""] == "名称为空"
    assert header[-2:] == ["行号", "错误原因"]
    assert "跳过 360802 之上的 1 行、之外的 1 行" in job.message


def test_the_same_file_twice_changes_nothing_and_a_rename_is_reported(db, city, tmp_path):
    top = root().code
    rows = [
        [f"{top}097", "新设街道", top, "", ""],
        [f"{top}097001", "新设社区", f"{top}097", "", ""],
    ]
    first = run(write(tmp_path, rows))
    again = run(write(tmp_path, rows, "again.csv"))
    assert (first.created, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert not again.error_file and again.report == []
    rows[1][1] = "新设社区(更名)"
    renamed = run(write(tmp_path, rows, "renamed.csv"))
    assert (renamed.updated, renamed.unchanged) == (1, 1)
    assert renamed.report == [
        {
            "kind": "renamed",
            "code": f"{top}097001",
            "name": "新设社区(更名)",
            "detail": "原名「新设社区」",
        }
    ]
    assert OrgNode.objects.get(code=f"{top}097001").name == "新设社区(更名)"


def test_nodes_the_file_leaves_out_or_moves_are_reported_and_kept(db, city, tmp_path):
    towns = list(OrgNode.objects.filter(level__depth=1).order_by("code"))
    assert len(towns) >= 2
    communities = list(towns[0].children.order_by("code"))
    moved, left_out, kept = communities[0], communities[1], communities[2:]
    rows = [[t.code, t.name, t.parent.code, "", ""] for t in towns[:2]]
    rows += [[c.code, c.name, c.parent.code, "", ""] for c in [*kept, *towns[1].children.all()]]
    # The first community now appears under the second town, with a code of that town.
    rows.append([f"{towns[1].code}099", moved.name, towns[1].code, "", ""])
    job = run(write(tmp_path, rows))
    assert job.created == 1 and job.failed == 0
    assert OrgNode.objects.filter(pk=moved.pk).exists()  # never deleted
    kinds = {entry["code"]: entry["kind"] for entry in job.report}
    # The grids were not in the file either: it has no grid rows, so it says nothing of them.
    assert kinds == {moved.code: "moved", left_out.code: "missing"}
    assert OrgNode.objects.filter(pk=left_out.pk).exists()
    _header, rows = error_rows(job)
    assert any(row[0] == moved.code and row[-1].startswith("需核对：疑似调整隶属") for row in rows)


def test_a_grid_row_without_a_code_gets_the_next_free_code_of_its_community(db, city, tmp_path):
    community = a_community()
    grids = list(community.children.order_by("code"))
    last = max(int(g.code[-3:]) for g in grids)
    path = write(
        tmp_path,
        [
            ["", "新网格一", community.code, "网格", "单位网格"],
            ["", "新网格二", community.code, "grid", ""],
            ["", "坏上级", "99", "grid", ""],
        ],
    )
    job = run(path)
    assert (job.created, job.failed) == (2, 1)
    one = OrgNode.objects.get(name="新网格一")
    assert one.code == f"{community.code}{last + 1:03d}" and one.grid_kind == GridKind.UNIT
    assert OrgNode.objects.get(name="新网格二").code == f"{community.code}{last + 2:03d}"
    again = run(write(tmp_path, [["", "新网格一", community.code, "网格", "单位网格"]], "b.csv"))
    assert (again.created, again.unchanged) == (0, 1)


def test_a_grid_with_a_code_is_checked_against_its_community(db, city, tmp_path):
    community = a_community()
    job = run(write(tmp_path, [[f"{community.code}12", "短编码网格", community.code, "网格", ""]]))
    assert job.failed == 1
    assert "应为 15 位" in error_rows(job)[1][0][-1]


def test_the_district_leader_sees_and_opens_an_imported_street(db, city, tmp_path, client):
    top = root().code
    run(write(tmp_path, [[f"{top}096000", "导入街道", f"{top}000000", "town", ""]]))
    client.force_login(user("demo-leader"))
    listing = client.get(f"/org/{top}/").content.decode()
    assert "导入街道" in listing and f"/org/{top}096/" in listing
    assert client.get(f"/org/{top}096/").status_code == 200


def test_only_the_tree_s_keepers_may_import_and_only_in_their_subtree(db, city, tmp_path):
    top = root().code
    street = user("demo-street").assignments.get().node
    other = OrgNode.objects.filter(level__depth=1).exclude(pk=street.pk).first()
    path = write(
        tmp_path,
        [
            [f"{street.code}099", "本街道社区", street.code, "", ""],
            [f"{other.code}099", "别的街道社区", other.code, "", ""],
        ],
    )
    job = run(path, "demo-street")
    assert (job.created, job.failed) == (1, 1)
    assert "不在您可以调整区划的范围内" in error_rows(job)[1][0][-1]
    assert not may_import(user("demo-community"), "divisions")  # registers, not the tree
    assert not may_import(user("demo-grid"), "divisions")
    assert may_import(user("demo-leader"), "divisions") and top


def test_the_command_dry_run_writes_nothing_and_the_real_run_does(db, city, tmp_path, capsys):
    top = root().code
    path = write(tmp_path, [[f"{top}095", "命令街道", top, "", ""], ["ABC", "坏", top, "", ""]])
    call_command("import_divisions", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "新建 1" in out and "失败 1" in out and "试运行" in out
    assert not OrgNode.objects.filter(name="命令街道").exists()
    call_command("import_divisions", str(path))
    assert OrgNode.objects.filter(code=f"{top}095", name="命令街道").exists()


def test_the_exported_tree_imports_back_unchanged(db, city, tmp_path):
    from exchange.jobs import export_register

    content, _type, _name = export_register(
        user("demo-leader"), "divisions", reveal=False, file_format="xlsx"
    )
    path = tmp_path / "tree.xlsx"
    path.write_bytes(content)
    job = run(path)
    nodes = OrgNode.objects.count()
    assert (job.total, job.unchanged, job.created, job.updated, job.failed) == (
        nodes,
        nodes,
        0,
        0,
        0,
    )
    assert job.report == [] and not job.error_file
