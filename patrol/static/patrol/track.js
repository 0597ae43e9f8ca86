// 今日巡查's track: while a patrol is open, the phone's position (watchPosition, where the
// browser allows it) is kept whenever it moved MIN_MOVE_M or more, and at least every 15 s
// while standing (jitter in between is dropped, a move never is), and sent in batches to the patrol's points
// endpoint, each batch with its own Idempotency-Key so a retry adds nothing twice. Batches
// not yet sent wait in localStorage (a reload or a dead zone loses none). The page works
// without any of this: the patrol's time is recorded by the start and end forms.
(function () {
  "use strict";
  var source = document.getElementById("patrol-track-config");
  var status = document.getElementById("track-status");
  if (!source || !status) {
    return;
  }
  var config = JSON.parse(source.textContent);
  var KEY = "gridgov.patrol." + config.patrol + ".pending";
  var MIN_GAP_MS = 15000;
  var SEND_EVERY_MS = 30000;
  var BATCH = 20;
  var MIN_MOVE_M = 10;
  var sent = 0;
  var lastKept = 0;
  var lastLat = null, lastLng = null;
  var leftBanner = document.getElementById("left-grid");
  var sending = false;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || { batches: [], points: [] }; }
    catch (e) { return { batches: [], points: [] }; }
  }
  function save(state) {
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* full */ }
  }
  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function newKey() {
    return "track-" + config.patrol + "-" + Date.now() + "-" + Math.random().toString(36).slice(2);
  }
  function show() {
    status.textContent = status.getAttribute("data-on").replace("{n}", sent);
  }
  // Haversine (as patrol/track.py's metres), in metres.
  function metres(lat1, lng1, lat2, lng2) {
    var rad = Math.PI / 180;
    var a = Math.pow(Math.sin((lat2 - lat1) * rad / 2), 2)
      + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.pow(Math.sin((lng2 - lng1) * rad / 2), 2);
    return 2 * 6371000 * Math.asin(Math.sqrt(a));
  }
  // 「已出网格」 as soon as the server says a point was outside the grid's outline, with the
  // time it first did as the page shows it after a reload: the server's local ISO time's
  // HH:MM ("2026-11-30T09:41:05+08:00" -> "09:41").
  function showLeft(count, since) {
    if (!leftBanner || !count) {
      return;
    }
    leftBanner.textContent = leftBanner.getAttribute("data-left")
      .replace("{n}", count).replace("{at}", (since || "").slice(11, 16));
    leftBanner.hidden = false;
  }
  function remember(position) {
    var lat = position.coords.latitude, lng = position.coords.longitude;
    document.querySelectorAll(".js-last-lat").forEach(function (f) { f.value = lat.toFixed(6); });
    document.querySelectorAll(".js-last-lng").forEach(function (f) { f.value = lng.toFixed(6); });
    var now = Date.now();
    if (now - lastKept < MIN_GAP_MS && lastLat !== null && metres(lastLat, lastLng, lat, lng) < MIN_MOVE_M) {
      return;
    }
    lastKept = now;
    lastLat = lat;
    lastLng = lng;
    var state = load();
    state.points.push({
      lat: +lat.toFixed(6), lng: +lng.toFixed(6),
      accuracy: Math.round(position.coords.accuracy || 0),
      recorded_at: position.timestamp || now,
    });
    if (state.points.length >= BATCH) {
      state.batches.push({ key: newKey(), points: state.points });
      state.points = [];
    }
    save(state);
  }
  function flush() {
    if (sending || !navigator.onLine) {
      return;
    }
    var state = load();
    if (state.points.length) {
      state.batches.push({ key: newKey(), points: state.points });
      state.points = [];
      save(state);
    }
    var batch = state.batches[0];
    if (!batch) {
      return;
    }
    sending = true;
    fetch(config.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": csrf(), "Idempotency-Key": batch.key,
      },
      body: JSON.stringify({ points: batch.points }),
    }).then(function (response) {
      // Sent, or refused for good (a 4xx other than a timeout): either way not retried.
      var gone = response.ok || (response.status >= 400 && response.status < 500
        && response.status !== 408 && response.status !== 429);
      if (gone) {
        var now = load();
        now.batches = now.batches.filter(function (b) { return b.key !== batch.key; });
        save(now);
      }
      if (!response.ok) {
        return gone;
      }
      return response.json().then(function (body) {
        sent = body.point_count;
        show();
        showLeft(body.left_grid_count, body.left_grid_at);
        return true;
      });
    }).catch(function () { return false; /* offline: kept for the next try */ })
      .then(function (gone) {
        sending = false;
        var left = load();
        if (gone && (left.batches.length || left.points.length)) {
          flush();  // what was kept while this batch was on its way goes now, not in 30 s
        }
      });
  }
  if (!("geolocation" in navigator)) {
    status.textContent = status.getAttribute("data-off");
    return;
  }
  navigator.geolocation.watchPosition(remember, function (error) {
    status.textContent = status.getAttribute(error.code === 1 ? "data-denied" : "data-off");
  }, { enableHighAccuracy: true, maximumAge: 10000, timeout: 60000 });
  window.setInterval(flush, SEND_EVERY_MS);
  window.addEventListener("online", flush);
  // Before the end form leaves the page, what is waiting goes (best effort).
  document.querySelectorAll("form[action$='/end/']").forEach(function (form) {
    form.addEventListener("submit", flush);
  });
  flush();
})();
