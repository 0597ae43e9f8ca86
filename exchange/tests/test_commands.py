"""The commands: the test-data generator and the command-line import with its progress bar."""

import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case
from exchange.tabular import open_table
from simulate.hotlinegen import BAD_KINDS, HotlineFileGenerator


def test_the_generator_is_deterministic_and_spoils_its_share(system, tmp_path):
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    call_command("make_hotline_file", rows=400, out=str(first), seed=3, stdout=io.StringIO())
    call_command("make_hotline_file", rows=400, out=str(second), seed=3, stdout=io.StringIO())
    call_command("make_hotline_file", rows=400, out=str(other), seed=4, stdout=io.StringIO())
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()
    generator = HotlineFileGenerator(2000, seed=3, system=system)
    rows = list(generator.generate())
    spoiled = sum(generator.counts.values())
    assert 0.03 * 2000 < spoiled < 0.07 * 2000
    assert all(generator.counts[kind] for kind in BAD_KINDS)
    # Addresses take the usual variations: prefixes, spaces, 幢/号楼, no 号.
    addresses = [row["address"] for row in rows]
    assert any(" " in a for a in addresses) and any("幢" in a or "号楼" in a for a in addresses)
    assert sum(1 for row in rows if row["lng"] is not None) > 0.1 * 2000


def test_the_generator_writes_xlsx_and_gbk(system, tmp_path):
    xlsx, gbk = tmp_path / "a.xlsx", tmp_path / "b.csv"
    call_command("make_hotline_file", rows=50, out=str(xlsx), stdout=io.StringIO())
    call_command("make_hotline_file", rows=50, out=str(gbk), encoding="gbk", stdout=io.StringIO())
    assert open_table(xlsx).total == open_table(gbk).total == 50
    assert open_table(gbk).encoding == "gbk"


def test_import_hotline_prints_progress_and_a_summary(system, tmp_path):
    path = tmp_path / "orders.csv"
    call_command("make_hotline_file", rows=300, out=str(path), seed=2, stdout=io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_hotline", str(path), user="demo-leader", stdout=out, stderr=err)
    assert "行/秒" in err.getvalue() and "[####" in err.getvalue()
    assert "100.0%" in err.getvalue()
    summary = out.getvalue()
    assert "共 300 行" in summary and "定位到网格" in summary
    created = Case.objects.count()
    assert created > 270
    out = io.StringIO()
    call_command("import_hotline", str(path), stdout=out, stderr=io.StringIO())
    assert "新建 0" in out.getvalue() and Case.objects.count() == created


def test_import_hotline_preview_writes_nothing(system, tmp_path):
    path = tmp_path / "orders.csv"
    call_command("make_hotline_file", rows=30, out=str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_hotline", str(path), preview=True, stdout=out)
    assert "第 2 行" in out.getvalue()
    assert not Case.objects.exists()


def test_import_hotline_refuses_unknown_systems_users_and_files(system, tmp_path):
    path = tmp_path / "orders.csv"
    call_command("make_hotline_file", rows=3, out=str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="没有热线系统"):
        call_command("import_hotline", str(path), system="nope")
    with pytest.raises(CommandError, match="不能导入"):
        call_command("import_hotline", str(path), user="demo-resident")
    with pytest.raises(CommandError, match="没有文件"):
        call_command("import_hotline", str(tmp_path / "missing.csv"))
