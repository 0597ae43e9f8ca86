"""Point → grid: which grid a lng/lat lies in, one point or many at once.

The grid polygons are loaded once per process into a shapely STRtree and
reloaded when ``GridMapVersion`` says the grids changed. A point on an edge
shared by two grids touches both; it is given to the one with the smaller
code, so every point of the territory belongs to exactly one grid.
"""

import threading

import numpy as np
import shapely
from shapely.geometry import shape

from org.models import GridMapVersion, OrgNode


class GridLocator:
    def __init__(self):
        self._lock = threading.Lock()
        self._version: int | None = None
        self._tree: shapely.STRtree | None = None
        self._codes: np.ndarray = np.array([], dtype=object)

    def _ensure_fresh(self) -> None:
        version = GridMapVersion.current()
        if version == self._version and self._tree is not None:
            return
        with self._lock:
            if version == self._version and self._tree is not None:
                return
            rows = (
                OrgNode.objects.exclude(grid_kind="")
                .exclude(geometry=None)
                .order_by("code")
                .values_list("code", "geometry")
            )
            codes, polygons = [], []
            for code, geometry in rows.iterator(chunk_size=5000):
                codes.append(code)
                polygons.append(shape(geometry))
            # Codes are sorted, so a smaller tree index is a smaller code: ties on
            # shared edges are broken by taking the minimum index.
            self._codes = np.array(codes, dtype=object)
            self._tree = shapely.STRtree(polygons)
            self._version = version

    def locate(self, lng: float, lat: float) -> str | None:
        return self.locate_many([(lng, lat)])[0]

    def locate_many(self, points) -> list[str | None]:
        self._ensure_fresh()
        coords = np.asarray(points, dtype=float).reshape(-1, 2)
        result = np.full(len(coords), None, dtype=object)
        if not len(coords) or not len(self._codes):
            return result.tolist()
        geoms = shapely.points(coords)
        input_idx, tree_idx = self._tree.query(geoms, predicate="intersects")
        if len(input_idx):
            order = np.lexsort((tree_idx, input_idx))
            first_inputs, first_pos = np.unique(input_idx[order], return_index=True)
            result[first_inputs] = self._codes[tree_idx[order][first_pos]]
        return result.tolist()


locator = GridLocator()
