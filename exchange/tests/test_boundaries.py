"""Boundary imports (org.boundaries + exchange.boundaries): real county outlines, a GBK
shapefile, a KML, repairs and refusals, the parent checks, and point→grid right after."""

import io
import json
import zipfile
from pathlib import Path

import pytest
import shapefile
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from exchange.boundaries import do_import_boundaries, do_revert_boundary_import, plan_file
from exchange.models import BoundaryImport, BoundaryStatus
from org.boundaries import BoundaryFileError
from org.locator import locator
from org.models import GridMapVersion, Level, OrgNode

REAL = Path(settings.BASE_DIR).parent / "shared/data/real"
CITIES = ["350100", "360800", "371000", "610400", "620700"]
FUZHOU_REPAIRED = {"长乐区", "连江县", "罗源县", "福清市"}
GEOGRAPHIC_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
PROJECTED_PRJ = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]]'
)


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@pytest.fixture
def tree(db):
    levels = {}
    for depth, key, kind in [(0, "city", "admin"), (1, "district", "admin"), (2, "grid", "grid")]:
        levels[key] = Level.objects.create(
            depth=depth,
            key=key,
            name={"city": "市", "district": "区县", "grid": "网格"}[key],
            kind=kind,
            code_width=2,
        )
    return levels


def node(level, code, name, parent=None, geometry=None, grid_kind=""):
    return OrgNode.objects.create(
        level=level, code=code, name=name, parent=parent, geometry=geometry, grid_kind=grid_kind
    )


def geojson_bytes(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


# -- the real county outlines ----------------------------------------------------------------


@pytest.mark.parametrize("city", CITIES)
def test_the_real_county_outlines_load_with_exactly_fuzhous_four_repaired(tree, city):
    path = REAL / f"geo_{city}_full.json"
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared real data)")
    document = json.loads(path.read_text(encoding="utf-8"))
    root = node(tree["city"], city[:4], "市")
    for item in document["features"]:
        props = item["properties"]
        node(tree["district"], str(props["adcode"]), props["name"], root)

    plan, _, _ = plan_file(
        path.read_bytes(), path.name, user=None, level="district", parent=root.code
    )
    report = plan.report
    assert report["property"] == "adcode"
    assert report["counts"]["matched"] == len(document["features"]), report
    assert report["unmatched"] == report["refused"] == report["missing"] == []
    repaired = {item["name"] for item in report["repaired"]}
    assert repaired == (FUZHOU_REPAIRED if city == "350100" else set())
    assert all("自相交" in item["problem"] for item in report["repaired"])

    record = BoundaryImport.objects.create(source_name=path.name, level="district")
    record = do_import_boundaries(plan, actor=None, record=record)
    assert record.status == BoundaryStatus.APPLIED and record.updated == len(document["features"])
    assert record.repaired == len(repaired)
    assert record.previous == {code: None for code in plan.updates}
    from shapely.geometry import shape

    for county in OrgNode.objects.filter(parent=root):
        geometry = shape(county.geometry)
        assert geometry.is_valid and geometry.geom_type in ("Polygon", "MultiPolygon")


def test_a_name_match_must_be_unique_within_the_chosen_parent(tree):
    a = node(tree["city"], "3501", "甲市")
    b = node(tree["city"], "3502", "乙市")
    node(tree["district"], "350101", "城关镇", a)
    node(tree["district"], "350201", "城关镇", b)
    data = geojson_bytes([feature({"NAME": "城关镇"}, square(119, 26, 119.1, 26.1))])
    plan, _, _ = plan_file(data, "a.geojson", user=None, level="district", match="name")
    assert plan.report["unmatched"][0]["reason"].startswith("名称不唯一, 有 2 个节点")
    plan, _, _ = plan_file(
        data, "a.geojson", user=None, level="district", parent="3502", match="name"
    )
    assert plan.report["property"] == "NAME" and list(plan.updates) == ["350201"]


def test_unmatched_features_are_listed_and_an_unrepairable_polygon_is_refused(tree):
    root = node(tree["city"], "3501", "市")
    node(tree["district"], "350101", "甲区", root)
    node(tree["district"], "350102", "乙区", root)
    flat = {"type": "Polygon", "coordinates": [[[119, 26], [119.5, 26], [120, 26], [119, 26]]]}
    data = geojson_bytes(
        [
            feature({"adcode": 350101}, flat),
            feature({"adcode": "350199", "name": "不存在区"}, square(119, 26, 119.1, 26.1)),
            feature(
                {"adcode": 350102.0}, {"type": "LineString", "coordinates": [[119, 26], [120, 27]]}
            ),
        ]
    )
    plan, _, _ = plan_file(data, "x.json", user=None, level="district")
    report = plan.report
    assert plan.updates == {}
    refused = {item["code"]: item["reason"] for item in report["refused"]}
    assert refused["350101"].startswith("无法修复") and "修复后没有面" in refused["350101"]
    assert refused["350102"] == "不是面(LineString)"
    assert [(u["label"], u["value"]) for u in report["unmatched"]] == [("#2 不存在区", "350199")]


def test_a_child_outside_its_parent_and_a_gap_are_reported(tree):
    root = node(tree["city"], "3501", "市", geometry=square(119, 26, 120, 27))
    node(tree["district"], "350101", "甲区", root)
    node(tree["district"], "350102", "乙区", root)
    data = geojson_bytes(
        [
            # 甲区 reaches 0.2° past the parent's west edge; nothing covers the east half.
            feature({"adcode": "350101"}, square(118.8, 26, 119.5, 27)),
            feature({"adcode": "350102"}, square(119.4, 26, 119.6, 27)),
        ]
    )
    plan, _, _ = plan_file(data, "x.json", user=None, level="district")
    findings = {(f["kind"], f["code"]): f for f in plan.report["findings"]}
    assert findings[("outside", "350101")]["share"] == pytest.approx(28.6, abs=0.1)
    assert findings[("gap", "3501")]["share"] == pytest.approx(40.0, abs=0.1)
    assert findings[("overlap", "350101")]["other"] == "350102"
    assert len(plan.updates) == 2  # reported, not refused


# -- shapefile and KML ------------------------------------------------------------------------


def shapefile_zip(records, prj=GEOGRAPHIC_PRJ, cpg=None) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(
        shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="gbk"
    ) as w:
        w.field("XZQDM", "C", 12)
        w.field("XZQMC", "C", 50)
        for code, name, ring in records:
            w.record(code, name)
            w.poly([ring])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("县界/县界.shp", shp.getvalue())
        archive.writestr("县界/县界.shx", shx.getvalue())
        archive.writestr("县界/县界.dbf", dbf.getvalue())
        if prj:
            archive.writestr("县界/县界.prj", prj)
        if cpg:
            archive.writestr("县界/县界.cpg", cpg)
    return buffer.getvalue()


def ring(x0, y0, x1, y1):
    return [[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]  # clockwise: a shapefile's outer


def test_a_gbk_shapefile_zip_loads_by_name(tree):
    root = node(tree["city"], "3501", "市")
    node(tree["district"], "350102", "鼓楼区", root)
    node(tree["district"], "350103", "台江区", root)
    data = shapefile_zip(
        [
            ("350102", "鼓楼区", ring(119.2, 26.0, 119.3, 26.1)),
            ("350103", "台江区", ring(119.3, 26.0, 119.4, 26.1)),
        ]
    )
    plan, _, _ = plan_file(data, "县界.zip", user=None, level="district", match="name")
    report = plan.report
    assert report["format"] == "Shapefile" and report["encoding"].startswith("GBK")
    assert report["property"] == "XZQMC"
    assert sorted(plan.updates) == ["350102", "350103"] and report["unmatched"] == []
    by_code, _, _ = plan_file(data, "县界.zip", user=None, level="district", match="code")
    assert by_code.report["property"] == "XZQDM" and len(by_code.updates) == 2


def test_a_projected_shapefile_is_refused_with_the_reason(tree):
    data = shapefile_zip(
        [("350102", "鼓楼区", ring(40500000, 2870000, 40510000, 2880000))], prj=PROJECTED_PRJ
    )
    with pytest.raises(BoundaryFileError, match="投影坐标.*CGCS2000_3_Degree_GK_CM_120E"):
        plan_file(data, "县界.zip", user=None, level="district")
    bare = shapefile_zip(
        [("350102", "鼓楼区", ring(40500000, 2870000, 40510000, 2880000))], prj=None
    )
    with pytest.raises(BoundaryFileError, match="不是经纬度"):
        plan_file(bare, "县界.zip", user=None, level="district")


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark><name>鼓楼区</name>
    <ExtendedData><Data name="code"><value>350102</value></Data></ExtendedData>
    <MultiGeometry>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        119.2,26.0,0 119.3,26.0,0 119.3,26.1,0 119.2,26.1,0 119.2,26.0,0
      </coordinates></LinearRing></outerBoundaryIs></Polygon>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        119.5,26.0 119.6,26.0 119.6,26.1 119.5,26.1 119.5,26.0
      </coordinates></LinearRing></outerBoundaryIs></Polygon>
    </MultiGeometry></Placemark>
  <Placemark><name>台江区</name>
    <ExtendedData><SchemaData>
      <SimpleData name="code">350103</SimpleData></SchemaData></ExtendedData>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>
      119.3,26.0 119.4,26.1 119.4,26.0 119.3,26.1 119.3,26.0
    </coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
  <Placemark><name>标注点</name><Point><coordinates>119.3,26.05</coordinates></Point></Placemark>
</Document></kml>"""


def test_a_kml_loads_with_a_multipolygon_and_a_repaired_bowtie(tree):
    root = node(tree["city"], "3501", "市")
    node(tree["district"], "350102", "鼓楼区", root)
    node(tree["district"], "350103", "台江区", root)
    plan, _, _ = plan_file(KML.encode(), "区界.kml", user=None, level="district")
    report = plan.report
    assert report["format"] == "KML" and report["property"] == "code"
    assert plan.updates["350102"]["type"] == "MultiPolygon"
    assert [item["code"] for item in report["repaired"]] == ["350103"]
    assert report["unmatched"][0]["label"] == "#3 标注点"  # no code: reported, not dropped


# -- grids: point→grid at once ------------------------------------------------------------------


def test_locate_answers_with_the_new_grid_right_after_the_import(tree):
    root = node(tree["city"], "3501", "市")
    district = node(tree["district"], "350101", "甲区", root)
    grid = node(
        tree["grid"], "35010101", "一网格", district, square(119, 26, 119.1, 26.1), "residential"
    )
    assert locator.locate(119.55, 26.05) is None
    before = GridMapVersion.current()
    data = geojson_bytes([feature({"code": grid.code}, square(119.5, 26, 119.6, 26.1))])
    plan, _, _ = plan_file(data, "grid.geojson", user=None, level="grid")
    record = do_import_boundaries(
        plan, actor=None, record=BoundaryImport.objects.create(source_name="g", level="grid")
    )
    assert record.map_version == GridMapVersion.current() != before
    assert locator.locate(119.55, 26.05) == grid.code
    assert locator.locate(119.05, 26.05) is None
    assert record.previous == {grid.code: square(119, 26, 119.1, 26.1)}


def test_the_command_dry_runs_then_imports(tree, tmp_path):
    root = node(tree["city"], "3501", "市")
    node(tree["district"], "350102", "鼓楼区", root)
    path = tmp_path / "区界.kml"
    path.write_text(KML, encoding="utf-8")
    out = io.StringIO()
    call_command("import_boundaries", str(path), "--level", "district", "--dry-run", stdout=out)
    assert "只检查" in out.getvalue() and "未匹配 #2 台江区" in out.getvalue()
    assert OrgNode.objects.get(code="350102").geometry is None
    out = io.StringIO()
    call_command("import_boundaries", str(path), "--level", "district", stdout=out)
    assert "更新 1 个节点" in out.getvalue()
    assert OrgNode.objects.get(code="350102").geometry["type"] == "MultiPolygon"
    with pytest.raises(CommandError, match="没有层级"):
        call_command("import_boundaries", str(path), "--level", "nowhere")


def test_an_import_is_undone_from_its_record_except_where_changed_since(tree):
    root = node(tree["city"], "3501", "市")
    district = node(tree["district"], "350101", "甲区", root)
    old = square(119, 26, 119.1, 26.1)
    one = node(tree["grid"], "35010101", "一网格", district, old, "residential")
    two = node(tree["grid"], "35010102", "二网格", district, None, "residential")
    data = geojson_bytes(
        [
            feature({"code": one.code}, square(119.5, 26, 119.6, 26.1)),
            feature({"code": two.code}, square(119.7, 26, 119.8, 26.1)),
        ]
    )
    plan, _, _ = plan_file(data, "grid.geojson", user=None, level="grid")
    record = do_import_boundaries(
        plan, actor=None, record=BoundaryImport.objects.create(source_name="g", level="grid")
    )
    two.geometry = square(119.9, 26, 120, 26.1)  # changed again after the import
    two.save(update_fields=["geometry"])

    undo = do_revert_boundary_import(record, actor=None)
    assert undo.reverts == record and undo.map_version == GridMapVersion.current()
    assert [r["code"] for r in undo.report["restored"]] == [one.code]
    assert [s["code"] for s in undo.report["skipped"]] == [two.code]
    assert OrgNode.objects.get(pk=one.pk).geometry == old
    assert locator.locate(119.05, 26.05) == one.code and locator.locate(119.55, 26.05) is None
    assert OrgNode.objects.get(pk=two.pk).geometry == square(119.9, 26, 120, 26.1)
    with pytest.raises(BoundaryFileError, match="已经撤销过"):
        do_revert_boundary_import(record, actor=None)


def test_a_county_installation_loads_its_own_outline_from_the_citys_file(db, city):  # noqa: F811
    """The jizhou preset's root is the district 吉州区 (360802): the city's file of county
    outlines gives it its outline; the other twelve counties are listed as not found."""
    path = REAL / "geo_360800_full.json"
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared real data)")
    root = OrgNode.objects.get(parent=None)
    plan, level, _ = plan_file(path.read_bytes(), path.name, user=None, level=root.level.key)
    report = plan.report
    assert report["counts"]["matched"] == 1 and list(plan.updates) == [root.code]
    assert len(report["unmatched"]) == 12
    assert all("平台里没有这个节点" in item["reason"] for item in report["unmatched"])
