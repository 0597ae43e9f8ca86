"""The pages: upload → preview → import (queued to the worker) → result; exports; who
may see what."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cases.models import Case
from exchange.models import ImportJob, JobStatus
from exchange.tests.conftest import make_file, user


@pytest.fixture
def as_user(client):
    def login(username):
        client.force_login(user(username))
        return client

    return login


def upload(client, path, system):
    with open(path, "rb") as handle:
        file = SimpleUploadedFile(path.name, handle.read(), content_type="text/csv")
    return client.post("/exchange/hotline/import/", {"system": system.pk, "file": file})


def test_the_exchange_page_is_for_staff(as_user, system):
    assert as_user("demo-leader").get("/exchange/").status_code == 200
    assert as_user("demo-resident").get("/exchange/").status_code == 403
    assert as_user("demo-dept").get("/exchange/hotline/import/").status_code == 403


def test_upload_preview_import_and_result(
    as_user, system, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "orders.csv"
    make_file(path, rows=60, seed=5, system=system)
    client = as_user("demo-leader")
    response = upload(client, path, system)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exchange/jobs/{job.pk}/"

    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert "第 2 步：预览" in page and "共 60 行" in page and "导入全部 60 行" in page
    assert "桂梅家园网格" in page or "网格" in page
    assert not Case.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exchange/jobs/{job.pk}/start/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.created > 50
    assert Case.objects.count() == job.created

    progress = client.get(f"/exchange/jobs/{job.pk}/progress/")
    assert progress["HX-Refresh"] == "true"
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert "定位到网格" in page and str(job.created) in page
    if job.failed:
        errors = client.get(f"/exchange/jobs/{job.pk}/errors/")
        assert errors.status_code == 200
        assert "attachment" in errors["Content-Disposition"]
        assert "错误原因" in b"".join(errors.streaming_content).decode("utf-8-sig")

    # Starting twice does not import twice.
    client.post(f"/exchange/jobs/{job.pk}/start/")
    assert Case.objects.count() == job.created


def test_a_running_job_shows_a_progress_bar_that_polls(as_user, system):
    job = ImportJob.objects.create(
        kind="hotline",
        system=system,
        user=user("demo-leader"),
        source_name="x.csv",
        status=JobStatus.RUNNING,
        total=200,
        done=50,
    )
    client = as_user("demo-leader")
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "25%" in page
    partial = client.get(f"/exchange/jobs/{job.pk}/progress/")
    assert "HX-Refresh" not in partial and 'value="25"' in partial.content.decode()


def test_another_user_job_is_not_found(as_user, system, tmp_path):
    path = tmp_path / "orders.csv"
    make_file(path, rows=5, seed=5, system=system)
    upload(as_user("demo-leader"), path, system)
    job = ImportJob.objects.get()
    other = as_user("demo-community")
    for suffix in ("", "progress/", "errors/"):
        assert other.get(f"/exchange/jobs/{job.pk}/{suffix}").status_code == 404
    assert other.post(f"/exchange/jobs/{job.pk}/start/").status_code == 404


def test_a_file_with_other_headers_asks_for_the_mapping(as_user, system, tmp_path):
    path = tmp_path / "theirs.csv"
    path.write_text("受理单号,来电日期,内容\nA1,2026-11-01 08:00,路灯不亮\n", encoding="utf-8")
    client = as_user("demo-leader")
    upload(client, path, system)
    job = ImportJob.objects.get()
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert "文件缺少这些列" in page and "导入全部" not in page
    mapping_url = f"/exchange/hotline/{system.slug}/mapping/?job={job.pk}"
    assert "受理单号" in client.get(mapping_url).content.decode()
    fields = {f"map_{key}": "" for key in ("caller", "phone", "address", "title", "category")}
    response = client.post(
        mapping_url,
        {
            **fields,
            "map_ticket_no": "受理单号",
            "map_received_at": "来电日期",
            "map_content": "内容",
            "date_format": "%Y-%m-%d %H:%M",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/exchange/jobs/{job.pk}/"
    system.refresh_from_db()
    assert system.mapping["ticket_no"] == "受理单号"
    assert "导入全部 1 行" in client.get(f"/exchange/jobs/{job.pk}/").content.decode()


def test_an_unreadable_upload_is_refused_before_anything(as_user, system):
    client = as_user("demo-leader")
    file = SimpleUploadedFile("orders.pdf", b"%PDF", content_type="application/pdf")
    response = client.post("/exchange/hotline/import/", {"system": system.pk, "file": file})
    assert response.status_code == 200 and "只支持" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_cancelling_an_uploaded_job_removes_it(as_user, system, tmp_path):
    path = tmp_path / "orders.csv"
    make_file(path, rows=3, seed=5, system=system)
    client = as_user("demo-leader")
    upload(client, path, system)
    job = ImportJob.objects.get()
    client.post(f"/exchange/jobs/{job.pk}/cancel/")
    assert not ImportJob.objects.exists()


def test_register_export_downloads_a_masked_workbook(as_user, db, city):
    client = as_user("demo-community")
    assert "导出完整手机号" in client.get("/exchange/registers/residents/export/").content.decode()
    response = client.post("/exchange/registers/residents/export/", {"file_format": "xlsx"})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert all(str(row[0]).startswith("360802001001") for row in rows[1:])
    assert as_user("demo-leader").get("/exchange/registers/nope/export/").status_code == 404


def test_hotline_export_page_downloads_csv(as_user, system):
    client = as_user("demo-leader")
    assert client.get("/exchange/hotline/export/").status_code == 200
    response = client.post("/exchange/hotline/export/", {"system": system.pk, "file_format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("工单编号,受理时间")


def test_a_100_mb_upload_is_refused_with_a_reason_and_nothing_is_kept(as_user, system, tmp_path):
    path = tmp_path / "orders.csv"
    with open(path, "wb") as handle:  # written in blocks: the test holds no 100 MB string
        handle.write("工单编号,诉求内容\n".encode())
        block = ("A1,路灯不亮" + " " * 1000 + "\n").encode()
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(block)
    client = as_user("demo-leader")
    with open(path, "rb") as handle:
        response = client.post("/exchange/hotline/import/", {"system": system.pk, "file": handle})
    assert response.status_code == 200 and "超过 60 MB" in response.content.decode()
    assert not ImportJob.objects.exists() and not Case.objects.exists()
