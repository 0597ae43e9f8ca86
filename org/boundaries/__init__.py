"""Real boundaries onto the tree: read a file, repair and check its polygons, match its
features to nodes (by code or by name), and say what an import would change.

- ``readers``: GeoJSON, Shapefile (a .zip of .shp/.dbf/.shx/.prj/.cpg, or a .shp with its
  siblings) and KML/KMZ → ``Source`` (features with properties and shapely geometries);
- ``check``: ``repair`` (shapely ``make_valid``, polygonal part only) and ``family``
  (children against their parent: outside, gaps, overlaps between siblings);
- ``plan``: ``plan_boundaries`` matches features to the nodes of one level and returns a
  ``Plan`` (the geometries to write and the report).

Nothing here writes: ``exchange.boundaries.do_import_boundaries`` applies a plan and keeps
the record. Geometries are GeoJSON Polygon or MultiPolygon in lng/lat (WGS84 or CGCS2000,
which agree to well under a metre; GCJ-02 web-map files are taken as they are).
"""

from org.boundaries.plan import MATCH_PROPERTIES, Plan, plan_boundaries
from org.boundaries.readers import BoundaryFileError, Source, read_boundaries

__all__ = [
    "MATCH_PROPERTIES",
    "BoundaryFileError",
    "Plan",
    "Source",
    "plan_boundaries",
    "read_boundaries",
]
