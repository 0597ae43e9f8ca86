// The QR report page (码上办) and the quick report: fill the hidden lng/lat from the phone's
// position when asked, show how many photos are chosen, and keep a second tap from
// sending the report twice.
(function () {
  "use strict";
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  var lng = document.getElementById("id_lng");
  var lat = document.getElementById("id_lat");
  if (button && lng && lat) {
    if (!("geolocation" in navigator)) {
      button.disabled = true;
      status.textContent = button.getAttribute("data-unsupported");
    }
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-waiting");
      navigator.geolocation.getCurrentPosition(function (position) {
        lng.value = position.coords.longitude.toFixed(6);
        lat.value = position.coords.latitude.toFixed(6);
        status.textContent = button.getAttribute("data-done")
          .replace("{accuracy}", Math.round(position.coords.accuracy));
        button.classList.add("button--done");
      }, function () {
        status.textContent = button.getAttribute("data-failed");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  var photos = document.getElementById("id_photos");
  var count = document.getElementById("photo-count");
  if (photos && count) {
    var max = parseInt(photos.getAttribute("data-max"), 10);
    photos.addEventListener("change", function () {
      var n = photos.files.length;
      count.textContent = n > max ? photos.getAttribute("data-too-many")
        : (n ? photos.getAttribute("data-chosen").replace("{n}", n) : "");
      count.classList.toggle("field__error", n > max);
    });
  }
})();
