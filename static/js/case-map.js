// A case's map: its grid's boundary (GeoJSON) and the point the reporter gave, fitted to
// view. Data comes from the page through json_script; tiles only when MAP_TILE_URL is set
// (the default deployment is offline, so shapes are drawn on a plain background).
(function () {
  "use strict";
  var container = document.getElementById("case-map");
  var source = document.getElementById("case-map-data");
  if (!container || !source || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var map = L.map(container, { scrollWheelZoom: false, zoomSnap: 0.25 });
  // A neutral attribution: the tile source's own words only, no library banner or flag.
  map.attributionControl.setPrefix(false);
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 19, attribution: data.tile_attribution || "" }).addTo(map);
  }
  var layers = [];
  if (data.boundary) {
    layers.push(L.geoJSON(data.boundary, {
      style: { color: "#b71c1c", weight: 2, fillColor: "#e53935", fillOpacity: 0.1 },
    }));
  }
  if (data.point) {
    layers.push(L.circleMarker([data.point.lat, data.point.lng], {
      radius: 8, color: "#7f1d1d", weight: 2, fillColor: "#f59e0b", fillOpacity: 0.95,
    }).bindTooltip(data.label || ""));
  }
  var group = L.featureGroup(layers);
  // The view must be set before vector layers are added (their renderer needs bounds).
  var bounds = group.getBounds();
  if (data.boundary) {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
  } else {
    map.setView(bounds.getCenter(), 17);
  }
  group.addTo(map);
  container.setAttribute("data-ready", "1");
})();
