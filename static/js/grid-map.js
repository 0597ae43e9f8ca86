// The grid page's map: the grid's boundary (GeoJSON) and its buildings, fitted to view.
// Data comes from the page through json_script; tiles only when MAP_TILE_URL is set
// (the default deployment is offline, so the polygon is drawn on a plain background).
(function () {
  "use strict";
  var container = document.getElementById("grid-map");
  var source = document.getElementById("grid-map-data");
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
  var boundary = L.geoJSON(data.boundary, {
    style: { color: "#b71c1c", weight: 2, fillColor: "#e53935", fillOpacity: 0.12 },
  });
  // The view must be set before vector layers are added (their renderer needs bounds).
  map.fitBounds(boundary.getBounds(), { padding: [12, 12] });
  boundary.addTo(map);
  (data.buildings || []).forEach(function (building) {
    L.circleMarker([building.lat, building.lng], {
      radius: 5, color: "#1e3a8a", weight: 1, fillColor: "#3b82f6", fillOpacity: 0.9,
    }).bindTooltip(building.name).addTo(map);
  });
  container.setAttribute("data-ready", "1");
})();
