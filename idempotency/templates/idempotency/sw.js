{% autoescape off %}// gridgov's service worker (idempotency/views.py serves it at /sw.js). It only reads:
// pages network-first with the last copy as the fallback, so a field page opens without
// signal; static files from the cache, refreshed behind the scenes. It never touches a
// POST: forms kept offline are the page's queue (static/js/offline.js), sent by the page.
"use strict";

var SETTINGS = {{ settings }};
var VERSION = "{{ version }}";
var STATIC_CACHE = "gridgov-static-" + VERSION;
var PAGE_CACHE = "gridgov-pages";
// At most this many pages are kept (the oldest go first): they hold personal data, and
// offline.js deletes them all at logout.
var MAX_PAGES = 60;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      return cache.addAll(SETTINGS.shell);
    }).then(function () {
      // The field pages, each on its own: one the user may not open must not stop the rest.
      return Promise.all(SETTINGS.pages.map(function (url) {
        return fetch(url, { credentials: "same-origin", redirect: "manual" })
          .then(function (response) { return keepPage(new Request(url), response); })
          .catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("gridgov-static-") === 0 && name !== STATIC_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cacheable(url) {
  return !SETTINGS.never.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

function keepPage(request, response) {
  var type = response.headers.get("Content-Type") || "";
  if (response.status !== 200 || response.redirected || type.indexOf("text/html") !== 0) {
    return Promise.resolve();
  }
  return caches.open(PAGE_CACHE).then(function (cache) {
    return cache.put(request, response).then(function () { return cache.keys(); })
      .then(function (keys) {
        return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
          return cache.delete(key);
        }));
      });
  });
}

function offlinePage() {
  var body = "<!DOCTYPE html><html lang=\"zh-hans\"><meta charset=\"utf-8\">"
    + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    + "<title>网络不通</title><h1>网络不通</h1>"
    + "<p>这一页还没有离线副本。已存的表单会在联网后自动发送。</p>"
    + "<p><a href=\"/\">回到首页</a></p></html>";
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    if (cacheable(new URL(request.url))) {
      event.waitUntil(keepPage(request, response.clone()));
    }
    return response;
  }).catch(function () {
    // ignoreVary: a page kept by offline.js was asked for by a script, not a navigation, so
    // the headers Django's Vary names differ; the cache is this person's alone.
    return caches.match(request, { cacheName: PAGE_CACHE, ignoreVary: true }).then(function (kept) {
      return kept || offlinePage();
    });
  });
}

function staticFile(event) {
  var request = event.request;
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.status === 200) {
          return cache.put(request, response.clone()).then(function () { return response; });
        }
        return response;
      });
      if (kept) {
        event.waitUntil(fresh.catch(function () {}));
        return kept;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.pathname.indexOf(SETTINGS.static) === 0) {
    event.respondWith(staticFile(event));
  }
});
{% endautoescape %}
