#!/usr/bin/env python3
"""Copy the front-end files the pages need from node_modules/ into static/vendor/.

Run after ``npm ci`` (see package.json for the pinned versions). Both folders are
ignored by git: the libraries are installed at build time, never committed.
The destination is rebuilt from scratch each time, so a removed file does not linger.
A source map a copied file points to (``sourceMappingURL``) is copied beside it:
``collectstatic``'s manifest storage follows that reference and fails if it is missing.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# destination folder under static/vendor/ -> (package, [paths inside the package])
ASSETS = {
    "leaflet": ("leaflet", ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"]),
    "htmx": ("htmx.org", ["dist/htmx.min.js", "LICENSE"]),
    # The dashboards load the "common" build (line, bar, pie, scatter and the usual
    # components: 234 kB gzipped against 363 kB for the full one); the full build is kept
    # beside it for a chart type the common one lacks (heatmap, radar, map).
    "echarts": ("echarts", ["dist/echarts.common.min.js", "dist/echarts.min.js", "LICENSE"]),
    "swagger-ui": (
        "swagger-ui-dist",
        [
            "swagger-ui.css",
            "swagger-ui-bundle.js",
            "swagger-ui-standalone-preset.js",
            "favicon-32x32.png",
            "LICENSE",
        ],
    ),
}


SOURCE_MAP = re.compile(rb"[#@] sourceMappingURL=([^\s*]+)")


def source_map_of(path: Path) -> Path | None:
    """The source map a .js or .css file names in its trailing comment, if any."""
    if path.suffix not in (".js", ".css"):
        return None
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 512))
        match = SOURCE_MAP.search(handle.read())
    if match is None or match.group(1).startswith(b"data:"):
        return None
    return path.parent / match.group(1).decode()


def copy_assets(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[Path]:
    missing = [
        node_modules / package / item
        for package, items in ASSETS.values()
        for item in items
        if not (node_modules / package / item).exists()
    ]
    if missing:
        listing = "\n  ".join(str(path) for path in missing)
        raise SystemExit(f"missing in node_modules (run `npm ci` first):\n  {listing}")
    if vendor.exists():
        shutil.rmtree(vendor)
    copied = []
    for folder, (package, items) in ASSETS.items():
        target_dir = vendor / folder
        target_dir.mkdir(parents=True, exist_ok=True)
        for item in items:
            source = node_modules / package / item
            target = target_dir / source.name
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)
            copied.append(target)
            source_map = source_map_of(source)
            if source_map is not None:
                if not source_map.is_file():
                    raise SystemExit(f"{source} names a source map that is missing: {source_map}")
                copied.append(Path(shutil.copy2(source_map, target_dir / source_map.name)))
    return copied


def main() -> int:
    copied = copy_assets()
    print(f"copied {len(copied)} front-end files into {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
