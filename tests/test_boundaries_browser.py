"""The boundary import page in a real browser on a phone: a street's staff member uploads
a GeoJSON of grid outlines, sees the repaired one in the preview, confirms (the grid's
outline and the point→grid index are the new ones), then undoes the import."""

import json

import pytest

from exchange.models import BoundaryImport, BoundaryStatus
from org.locator import locator
from org.models import OrgNode, User
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[130, 30], [130.1, 30.1], [130.1, 30], [130, 30.1], [130, 30]]],
}


def test_a_street_uploads_grid_outlines_sees_the_repair_and_confirms(
    live_city, open_phone, tmp_path
):
    street = User.objects.get(username="demo-street").assignments.get().node
    grids = list(OrgNode.objects.filter(code__startswith=street.code).exclude(grid_kind="")[:2])
    path = tmp_path / "网格边界.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"code": grids[0].code, "name": grids[0].name},
            "geometry": BOWTIE,
        },
        {
            "type": "Feature",
            "properties": {"code": grids[1].code, "name": grids[1].name},
            "geometry": grids[1].geometry,
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    page = open_phone()
    log_in(page, live_city, "demo-street")
    page.goto(live_city + "/exchange/")
    page.get_by_role("link", name="导入边界").click()
    fits_the_phone(page)
    page.get_by_label("边界文件").set_input_files(str(path))
    page.get_by_label("层级").select_option(label=grids[0].level.name)
    page.get_by_label("上级节点编码").fill(street.code)
    page.get_by_label("按编码").check()
    page.get_by_role("button", name="上传并预览").click()

    page.wait_for_selector("#repaired")
    fits_the_phone(page)
    repaired = page.locator("#repaired").inner_text()
    assert grids[0].code in repaired and "边自相交" in repaired
    assert grids[1].code in page.locator("#matched").inner_text()
    assert OrgNode.objects.get(pk=grids[0].pk).geometry != BOWTIE  # nothing written yet

    page.get_by_role("button", name="确认导入 2 个边界").click()
    page.get_by_text("网格定位已使用新边界").wait_for()
    fits_the_phone(page)
    record = BoundaryImport.objects.get()
    assert record.status == BoundaryStatus.APPLIED and record.repaired == 1
    assert OrgNode.objects.get(pk=grids[0].pk).geometry["type"] == "MultiPolygon"
    assert locator.locate(130.01, 30.05) == grids[0].code

    page.get_by_role("button", name="撤销这次导入（恢复原边界）").click()
    page.get_by_text("已恢复 2 个节点的原边界").wait_for()
    fits_the_phone(page)
    assert OrgNode.objects.get(pk=grids[0].pk).geometry == grids[0].geometry
    assert locator.locate(130.01, 30.05) is None
    assert not page.errors
