"""Boundary files → features: GeoJSON, Shapefile (pyshp) and KML/KMZ (xml.etree).

``read_boundaries(data, name)`` takes the file's bytes and its name (the suffix says the
format: .json/.geojson, .zip (a shapefile, or a KMZ when it holds a .kml), .shp, .kml,
.kmz) and returns a ``Source``; ``read_path(path)`` reads a file on disk, a .shp with its
.dbf/.shx/.prj/.cpg beside it. A file that cannot be used at all raises
``BoundaryFileError`` with the reason in Chinese; a single feature that cannot be read
keeps its reason in ``Feature.error`` (reported, never dropped).

Coordinates must be lng/lat: a GeoJSON ``crs`` or a shapefile .prj naming a projected
system is refused (pyproj, which could reproject, is not a dependency), and so is a file
whose coordinates leave [-180, 180] × [-90, 90] or look swapped (lat, lng) over China.

KML is read with ``xml.etree`` (expat ≥ 2.4 refuses entity-expansion bombs; no external
entities are resolved): the polygons of a placemark are a small, fixed part of KML 2.2
(Polygon / outerBoundaryIs / innerBoundaryIs / LinearRing / coordinates, MultiGeometry),
and fastkml would bring pygeoif and its own geometry classes only to be turned into
shapely ones here.
"""

import codecs
import io
import json
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import shapefile
import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, shape

MAX_FEATURES = 50_000
# Shapefiles from Chinese GIS software (ArcGIS on a Chinese Windows) carry GBK without a .cpg.
DEFAULT_SHAPEFILE_ENCODING = "gbk"
GEOGRAPHIC_CRS = ("4326", "CRS84", "4490", "WGS84", "WGS 84", "CGCS2000", "4214", "4610")
# China's extent, to tell swapped coordinates (lat, lng) from lng/lat.
CHINA_LNG, CHINA_LAT = (73.0, 136.0), (3.0, 54.0)


class BoundaryFileError(ValueError):
    """The whole file cannot be used; the message says why, in Chinese."""


@dataclass
class Feature:
    index: int  # 1-based, in file order
    properties: dict
    geometry: object | None  # shapely geometry, 2D
    error: str = ""  # why the feature's geometry could not be read

    @property
    def label(self) -> str:
        for key in ("name", "NAME", "Name", "名称", "XZQMC"):
            value = self.properties.get(key)
            if value not in (None, ""):
                return f"#{self.index} {value}"
        return f"#{self.index}"


@dataclass
class Source:
    format: str  # GeoJSON, Shapefile, KML
    features: list[Feature]
    encoding: str = ""  # a shapefile's dbf encoding and how it was chosen
    notes: list[str] = field(default_factory=list)

    @property
    def properties(self) -> list[str]:
        """The scalar properties the features carry (what a match may use), in file order."""
        seen: dict[str, None] = {}
        for feature in self.features:
            for key, value in feature.properties.items():
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    seen.setdefault(key, None)
        return list(seen)


def siblings_of(path: Path) -> dict[str, bytes]:
    """A .shp's companions beside it (.dbf, .shx, .prj, .cpg) by suffix; {} for other files."""
    if path.suffix.lower() != ".shp":
        return {}
    return {
        sibling.suffix.lower(): sibling.read_bytes()
        for sibling in path.parent.iterdir()
        if sibling.stem == path.stem and sibling.suffix.lower() in (".dbf", ".shx", ".prj", ".cpg")
    }


def read_path(path: Path) -> Source:
    """A file on disk; a .shp with its .dbf, .shx, .prj and .cpg beside it."""
    path = Path(path)
    if not path.is_file():
        raise BoundaryFileError(f"没有文件 {path}")
    return read_boundaries(path.read_bytes(), path.name, siblings_of(path))


def read_boundaries(data: bytes, name: str, siblings: dict[str, bytes] | None = None) -> Source:
    """The features of a boundary file; ``siblings`` are a bare .shp's companions by suffix."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".json", ".geojson"):
        source = _geojson(data)
    elif suffix == ".shp":
        source = _shapefile({".shp": data, **(siblings or {})})
    elif suffix in (".zip", ".kmz"):
        source = _zip(data)
    elif suffix == ".kml":
        source = _kml(data)
    else:
        raise BoundaryFileError(
            "只支持 GeoJSON(.json/.geojson)、Shapefile(.zip 或 .shp)和 KML(.kml/.kmz)"
        )
    if not source.features:
        raise BoundaryFileError("文件里没有要素")
    if len(source.features) > MAX_FEATURES:
        raise BoundaryFileError(f"要素超过 {MAX_FEATURES} 个, 请分成几个文件导入")
    _check_lnglat(source)
    return source


# -- GeoJSON --------------------------------------------------------------------------------


def _geojson(data: bytes) -> Source:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BoundaryFileError(f"不是有效的 GeoJSON(UTF-8 编码的 JSON): {error}") from None
    if not isinstance(document, dict):
        raise BoundaryFileError("不是有效的 GeoJSON: 顶层不是对象")
    crs = document.get("crs")
    if isinstance(crs, dict):
        crs_name = str((crs.get("properties") or {}).get("name", ""))
        if crs_name and not any(token in crs_name.upper() for token in GEOGRAPHIC_CRS):
            raise BoundaryFileError(
                f"坐标系 {crs_name} 不是经纬度; 请在 GIS 软件中另存为 WGS84(EPSG:4326)后再导入"
            )
    kind = document.get("type")
    if kind == "FeatureCollection":
        raw = document.get("features")
        if not isinstance(raw, list):
            raise BoundaryFileError("不是有效的 GeoJSON: FeatureCollection 没有 features 列表")
    elif kind == "Feature":
        raw = [document]
    elif kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        raw = [{"type": "Feature", "properties": {}, "geometry": document}]
    else:
        raise BoundaryFileError(f"不是有效的 GeoJSON: 不认识的类型 {kind!r}")
    features = []
    for index, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        properties = item.get("properties") if isinstance(item.get("properties"), dict) else {}
        geometry, error = None, ""
        try:
            if not item.get("geometry"):
                error = "没有几何"
            else:
                geometry = shapely.force_2d(shape(item["geometry"]))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, GEOSException) as exc:
            error = f"几何无法读取: {exc}"
        features.append(Feature(index, dict(properties), geometry, error))
    return Source("GeoJSON", features)


# -- Shapefile ----------------------------------------------------------------------------


def _zip(data: bytes) -> Source:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BoundaryFileError("不是有效的 .zip 压缩包") from None
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/") and "__MACOSX" not in n]
        kml = [n for n in names if n.lower().endswith(".kml")]
        shp = [n for n in names if n.lower().endswith(".shp")]
        if not shp and kml:
            return _kml(archive.read(sorted(kml)[0]))
        if len(shp) != 1:
            found = "、".join(shp) if shp else "没有 .shp"
            raise BoundaryFileError(f"压缩包里要有且只有一个 .shp 文件(找到: {found})")
        stem = shp[0][: -len(".shp")].lower()
        files = {}
        for member in names:
            member_stem, dot, suffix = member.rpartition(".")
            if dot and member_stem.lower() == stem:
                files["." + suffix.lower()] = archive.read(member)
    return _shapefile(files)


def _encoding(files: dict[str, bytes]) -> tuple[str | None, str]:
    """The dbf encoding from the .cpg, else None (decided from the records); and a note."""
    cpg = files.get(".cpg", b"").decode("ascii", "ignore").strip()
    if not cpg:
        return None, ""
    name = {"936": "gbk", "65001": "utf-8", "ANSI 936": "gbk"}.get(cpg, cpg)
    try:
        return codecs.lookup(name).name, f"{cpg}(.cpg)"
    except LookupError:
        raise BoundaryFileError(f".cpg 里的编码 {cpg!r} 不认识") from None


def _projection(prj: str) -> None:
    """Refuses a projected .prj: the platform keeps lng/lat and has no pyproj to convert."""
    head = prj.lstrip().upper()
    if head.startswith(("PROJCS", "PROJCRS")):
        crs_name = prj.split('"')[1] if '"' in prj else prj[:60]
        raise BoundaryFileError(
            f"坐标是投影坐标({crs_name}), 本系统不做投影转换(未安装 pyproj); "
            "请在 GIS 软件中另存为 WGS84 或 CGCS2000 经纬度后再导入"
        )


def _shapefile(files: dict[str, bytes]) -> Source:
    if ".dbf" not in files:
        raise BoundaryFileError("缺少 .dbf 文件(属性表), 无法按编码或名称匹配")
    prj = files.get(".prj", b"").decode("latin-1").strip()
    if prj:
        _projection(prj)
    encoding, note = _encoding(files)
    if encoding is None:
        # UTF-8 first: GBK Chinese text practically never decodes as UTF-8, while UTF-8
        # text often decodes as GBK into nonsense. Neither: the GBK default.
        try:
            _shp_read(files, "utf-8")
            encoding, note = "utf-8", "UTF-8(无 .cpg, 按内容判断)"
        except _Undecodable:
            encoding, note = DEFAULT_SHAPEFILE_ENCODING, "GBK(无 .cpg, 默认)"
    try:
        records, shapes = _shp_read(files, encoding)
    except _Undecodable:
        raise BoundaryFileError(f"属性表不能按 {note or encoding} 解码") from None
    features = []
    for index, (record, geo) in enumerate(zip(records, shapes, strict=True), start=1):
        geometry, error = None, ""
        if geo.shapeType == shapefile.NULL:
            error = "没有几何"
        else:
            try:
                geometry = shapely.force_2d(shape(geo.__geo_interface__))
            except (ValueError, TypeError, IndexError, AttributeError, GEOSException) as exc:
                error = f"几何无法读取: {exc}"
        features.append(Feature(index, _plain(record.as_dict()), geometry, error))
    notes = [] if prj else ["没有 .prj: 按坐标范围判断为经纬度"]
    return Source("Shapefile", features, encoding=note, notes=notes)


class _Undecodable(Exception):
    """The dbf's text is not in the encoding tried."""


def _shp_read(files, encoding):
    """(records, shapes) of a polygon shapefile; raises _Undecodable for a wrong encoding."""
    if ".shp" not in files:
        raise BoundaryFileError("缺少 .shp 文件")
    try:
        with shapefile.Reader(
            shp=io.BytesIO(files[".shp"]),
            dbf=io.BytesIO(files[".dbf"]),
            shx=io.BytesIO(files[".shx"]) if ".shx" in files else None,
            encoding=encoding,
            encodingErrors="strict",
        ) as reader:
            if reader.shapeType not in (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM):
                raise BoundaryFileError(f"不是面图层(图层类型: {reader.shapeTypeName})")
            return reader.records(), reader.shapes()
    except UnicodeDecodeError:
        raise _Undecodable from None
    except shapefile.ShapefileException as error:
        # pyshp 3 reports text it cannot decode as a dbf error.
        if "decode" in str(error):
            raise _Undecodable from None
        raise BoundaryFileError(f"Shapefile 无法读取: {error}") from None
    except (ValueError, struct.error) as error:  # a truncated or corrupt file
        raise BoundaryFileError(f"Shapefile 无法读取: {error}") from None


def _plain(record: dict) -> dict:
    """dbf values as JSON-friendly scalars (dates as text, numeric codes kept as numbers)."""
    plain = {}
    for key, value in record.items():
        if isinstance(value, str):
            value = value.strip()
        elif value is not None and not isinstance(value, int | float):
            value = str(value)
        plain[key] = value
    return plain


# -- KML ------------------------------------------------------------------------------------


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name):
    return [child for child in element.iter() if _local(child.tag) == name]


def _ring(element) -> list[tuple[float, float]]:
    coordinates = next((c for c in element.iter() if _local(c.tag) == "coordinates"), None)
    points = []
    for token in (coordinates.text or "").split() if coordinates is not None else []:
        parts = token.split(",")
        points.append((float(parts[0]), float(parts[1])))
    return points


def _kml_polygon(element) -> Polygon:
    outer = next((c for c in element if _local(c.tag) == "outerBoundaryIs"), None)
    if outer is None:
        raise ValueError("Polygon 没有 outerBoundaryIs")
    inners = [_ring(c) for c in element if _local(c.tag) == "innerBoundaryIs"]
    return Polygon(_ring(outer), inners)


def _kml(data: bytes) -> Source:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise BoundaryFileError(f"不是有效的 KML(XML): {error}") from None
    features = []
    for index, placemark in enumerate(_children(root, "Placemark"), start=1):
        properties = {}
        for child in placemark:
            if _local(child.tag) in ("name", "description") and child.text:
                properties[_local(child.tag)] = child.text.strip()
        for data_element in _children(placemark, "Data"):
            value = next((v for v in data_element if _local(v.tag) == "value"), None)
            if data_element.get("name") and value is not None:
                properties[data_element.get("name")] = (value.text or "").strip()
        for simple in _children(placemark, "SimpleData"):
            if simple.get("name"):
                properties[simple.get("name")] = (simple.text or "").strip()
        geometry, error = None, ""
        try:
            polygons = [_kml_polygon(p) for p in _children(placemark, "Polygon")]
            if not polygons:
                kinds = {_local(c.tag) for c in placemark.iter()} & {"Point", "LineString"}
                error = f"不是面({'、'.join(sorted(kinds)) or '没有几何'})"
            else:
                geometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
        except (ValueError, IndexError, GEOSException) as exc:
            error = f"几何无法读取: {exc}"
        features.append(Feature(index, properties, geometry, error))
    return Source("KML", features)


# -- lng/lat --------------------------------------------------------------------------------


def _check_lnglat(source: Source) -> None:
    geometries = [f.geometry for f in source.features if f.geometry is not None]
    if not geometries:
        return
    x0, y0, x1, y1 = shapely.total_bounds(geometries)
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise BoundaryFileError(
            f"坐标范围 x {x0:.0f}…{x1:.0f}, y {y0:.0f}…{y1:.0f} 不是经纬度(像是投影坐标), "
            "而文件没有说明可用的坐标系; 请另存为 WGS84 或 CGCS2000 经纬度后再导入"
        )
    in_china = (
        CHINA_LNG[0] <= x0 and x1 <= CHINA_LNG[1] and CHINA_LAT[0] <= y0 and y1 <= CHINA_LAT[1]
    )
    swapped = (
        CHINA_LAT[0] <= x0 and x1 <= CHINA_LAT[1] and CHINA_LNG[0] <= y0 and y1 <= CHINA_LNG[1]
    )
    if swapped and not in_china:
        raise BoundaryFileError("坐标像是纬度在前、经度在后(颠倒了); GeoJSON 和 KML 都是经度在前")
