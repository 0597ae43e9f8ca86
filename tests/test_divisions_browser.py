"""The division import in a real browser on a phone: the district leader uploads a small
divisions CSV, reads the preview (a new street, a code refused with its reason), imports,
and downloads the error file with the reason in it."""

import csv

import pytest

from org.models import OrgNode
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser


def test_the_leader_imports_divisions_on_a_phone_and_gets_the_error_file(
    live_city, open_phone, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    root = OrgNode.objects.get(parent=None).code
    upload = tmp_path / "区划.csv"
    with upload.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["code", "name", "parent_code", "level", "source_code"])
        writer.writerow([f"{root}093000", "手机导入街道", f"{root}000000", "town", f"{root}093"])
        writer.writerow(["ABC", "字母街道", f"{root}000000", "town", ""])
        writer.writerow([f"{root}093001", "十二位街道", f"{root}000000", "town", ""])

    page = open_phone()
    log_in(page, live_city, "demo-leader")
    page.goto(live_city + "/exchange/")
    page.get_by_role("link", name="导入").last.click()  # the registers' last: 行政区划和网格
    page.wait_for_url("**/exchange/registers/divisions/import/")
    fits_the_phone(page)
    page.get_by_label("文件").set_input_files(str(upload))
    page.get_by_role("button", name="上传并预览").click()

    page.wait_for_url("**/exchange/jobs/*/")
    fits_the_phone(page)
    preview = page.locator("table").last
    assert "新建「镇(街)」" in preview.inner_text()
    assert "编码「ABC」只能由数字 0-9 组成" in preview.inner_text()
    assert "应为 9 位" in preview.inner_text()
    assert not OrgNode.objects.filter(name="手机导入街道").exists()  # nothing before step 3

    page.get_by_role("button", name="第 3 步: 导入全部 3 行").click()
    link = page.get_by_role("link", name="下载 2 行错误(含行号和错误原因)")
    link.wait_for()
    fits_the_phone(page)
    assert OrgNode.objects.get(name="手机导入街道").code == f"{root}093"
    with page.expect_download() as caught:
        link.click()
    with open(caught.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows[0][-2:] == ["行号", "错误原因"]
    reasons = {row[1]: row[-1] for row in rows[1:]}
    assert reasons["字母街道"] == "编码「ABC」只能由数字 0-9 组成"
    assert "「镇(街)」级的编码应为 9 位" in reasons["十二位街道"]

    page.goto(live_city + f"/org/{root}/")
    page.get_by_role("link", name="手机导入街道").click()
    page.wait_for_url(f"**/org/{root}093/")
    assert not page.errors
