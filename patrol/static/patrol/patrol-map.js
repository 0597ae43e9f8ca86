// A patrol's page: the grid's outline, the track as a line (start and end marked) and the
// findings, fitted to view. Tiles only when MAP_TILE_URL is set (as the grid page).
(function () {
  "use strict";
  var container = document.getElementById("patrol-map");
  var source = document.getElementById("patrol-map-data");
  if (!container || !source || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var map = L.map(container, { scrollWheelZoom: false, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 19, attribution: data.tile_attribution || "" }).addTo(map);
  }
  var bounds = L.latLngBounds([]);
  var boundary = data.boundary ? L.geoJSON(data.boundary, {
    style: { color: "#b71c1c", weight: 2, fillColor: "#e53935", fillOpacity: 0.08 },
  }) : null;
  if (boundary) { bounds.extend(boundary.getBounds()); }
  (data.track || []).forEach(function (p) { bounds.extend(p); });
  if (!bounds.isValid()) {
    return;
  }
  // The view must be set before vector layers are added (their renderer needs bounds).
  map.fitBounds(bounds, { padding: [12, 12] });
  if (boundary) { boundary.addTo(map); }
  if (data.track && data.track.length) {
    L.polyline(data.track, { color: "#1d4ed8", weight: 3 }).addTo(map);
    L.circleMarker(data.track[0], { radius: 6, color: "#166534", fillOpacity: 1 }).bindTooltip("起点").addTo(map);
    L.circleMarker(data.track[data.track.length - 1], { radius: 6, color: "#1e3a8a", fillOpacity: 1 }).bindTooltip("终点").addTo(map);
  }
  (data.findings || []).forEach(function (f) {
    L.circleMarker([f.lat, f.lng], { radius: 5, color: "#b45309", fillColor: "#f59e0b", fillOpacity: 0.9 })
      .bindTooltip(f.label).addTo(map);
  });
  container.setAttribute("data-ready", "1");
})();
