// The offline queue of the field forms (issue 13: patrol, visits, quick report). A form
// marked data-offline is sent by this script: online it is posted as usual (and, answered,
// the page goes where the server said); with no network, or when the post fails for the
// network, its fields (photos included, as Files) are kept in IndexedDB with the time it
// was pressed (offline_at), and a badge shows 「待发送 N 条」. The queue is sent in order,
// one post at a time, when the phone comes online and on every page load.
//
// Why a replay never makes a second case or visit: every kept post carries its form's
// one-time token (the once field); the server's page_once answers a token it has seen as
// it answered the first time (idempotency/keys.py). So a post whose answer was lost is
// simply sent again. A fresh token is put into the form after each kept post, and on every
// page load (a page opened from the service worker's cache repeats its token).
//
// Why it can be sent hours later: the CSRF token is taken from the csrftoken cookie at the
// time of sending, not from the kept form (a new login changes it). A login that expired
// is not a refusal: the post stays and goes after the person logs in again. A refusal (a
// form error, no permission) is kept too, shown with the server's reason, to retry or drop:
// nothing kept is ever dropped silently. Each post belongs to the user who made it and is
// sent only in their session.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.indexedDB || !window.fetch || !window.FormData) {
    return;
  }
  var USER = script.getAttribute("data-user");
  var LOGIN = script.getAttribute("data-login");
  var WORKER = script.getAttribute("data-worker");
  var DB_NAME = "gridgov-offline";
  var STORE = "posts";
  var HEADER = "X-Gridgov-Offline";
  var CSRF_COOKIE = "csrftoken"; // Django's default name (settings leave it)
  var CSRF_FIELD = "csrfmiddlewaretoken";
  var ONCE_FIELD = "once";
  var TIMEOUT_MS = 30000; // a weak signal that answers nothing in 30 s counts as none

  // -- storage ------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request && request.result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function allPosts() {
    return withStore("readonly", function (store) { return store.getAll(); })
      .then(function (posts) {
        return posts.filter(function (post) { return post.user === USER; });
      });
  }

  function savePost(post) {
    return withStore("readwrite", function (store) { return store.put(post); });
  }

  function dropPost(id) {
    return withStore("readwrite", function (store) { return store.delete(id); });
  }

  // -- tokens -------------------------------------------------------------------------

  function newToken() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function renewToken(form) {
    var field = form.querySelector("input[name=" + ONCE_FIELD + "]");
    if (field) {
      field.value = newToken();
    }
  }

  function csrfCookie() {
    var found = document.cookie.split("; ").filter(function (part) {
      return part.indexOf(CSRF_COOKIE + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(CSRF_COOKIE.length + 1)) : "";
  }

  // -- sending --------------------------------------------------------------------------

  function formData(fields) {
    var data = new FormData();
    var csrf = csrfCookie();
    fields.forEach(function (pair) {
      var value = pair[0] === CSRF_FIELD && csrf ? csrf : pair[1];
      data.append(pair[0], value);
    });
    return data;
  }

  function reasonOf(html, status) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var parts = [];
    doc.querySelectorAll(".alert--error, .field__error, .errorlist").forEach(function (node) {
      var text = node.textContent.trim();
      if (text && parts.indexOf(text) < 0) {
        parts.push(text);
      }
    });
    if (!parts.length) {
      var main = doc.querySelector("main") || doc.body;
      var head = main && main.querySelector("h1");
      var line = main && main.querySelector("p");
      [head, line].forEach(function (node) {
        if (node && node.textContent.trim()) {
          parts.push(node.textContent.trim().replace(/\s+/g, " "));
        }
      });
    }
    return (parts.join("；") || "服务器拒绝了这条记录") + "（" + status + "）";
  }

  // The outcome of one post: {ok, location, replayed, messages} | {network} | {login} |
  // {later, reason} (a server error: try again later) | {refused: reason}. ``kind`` is
  // "send" (the person waits for the next page) or "replay" (a kept post).
  function post(action, data, kind) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var headers = {};
    headers[HEADER] = kind;
    if (csrfCookie()) {
      headers["X-CSRFToken"] = csrfCookie();
    }
    return fetch(action, {
      method: "POST",
      body: data,
      headers: headers,
      credentials: "same-origin",
      signal: controller.signal,
    }).then(function (response) {
      clearTimeout(timer);
      var type = response.headers.get("Content-Type") || "";
      var path = new URL(response.url).pathname;
      if (LOGIN && path === LOGIN) {
        return { login: true };
      }
      if (response.status === 200 && type.indexOf("application/json") === 0) {
        return response.json().then(function (body) {
          return body.ok ? {
            ok: true, location: body.location, replayed: body.replayed, messages: body.messages || [],
          } : { refused: body.detail || "服务器拒绝了这条记录" };
        });
      }
      if (response.ok && response.redirected) { // a form without a token: followed
        return { ok: true, location: response.url, replayed: false, messages: [] };
      }
      if (response.status >= 500) {
        return { later: true, reason: "服务器暂时出错（" + response.status + "），稍后自动重发" };
      }
      return response.text().then(function (html) {
        return { refused: reasonOf(html, response.status) };
      });
    }, function () {
      clearTimeout(timer);
      return { network: true };
    });
  }

  var sending = false;

  // Sends the user's waiting posts, oldest first, one at a time; stops at the first that
  // cannot go now (no network, login expired, server error) so the order is kept.
  function sendQueue() {
    if (sending || !navigator.onLine) {
      return Promise.resolve();
    }
    sending = true;
    var run = function () {
      return allPosts().then(function (posts) {
        var waiting = posts.filter(function (p) { return p.state === "waiting"; });
        var next = function (i) {
          if (i >= waiting.length) {
            return null;
          }
          var item = waiting[i];
          item.offline_sent = new Date().toISOString();
          var fields = item.fields.concat([["offline_sent_at", item.offline_sent]]);
          return post(item.action, formData(fields), "replay").then(function (outcome) {
            var errors = (outcome.messages || []).filter(function (m) { return m.level === "error"; });
            if (outcome.ok && errors.length) { // refused with a message and a redirect
              item.state = "refused";
              item.reason = errors.map(function (m) { return m.text; }).join("；")
                + "（服务器已按此处理，请重新填写）";
              return savePost(item).then(function () { return next(i + 1); });
            }
            if (outcome.ok) {
              return dropPost(item.id).then(function () {
                var said = outcome.messages.filter(function (m) { return m.level === "success"; });
                sent.push({
                  label: item.label,
                  location: outcome.location,
                  said: said.map(function (m) { return m.text; }).join("；"),
                });
                return next(i + 1);
              });
            }
            if (outcome.refused) {
              item.state = "refused";
              item.reason = outcome.refused;
              return savePost(item).then(function () { return next(i + 1); });
            }
            item.reason = outcome.login ? "登录已过期：请重新登录，登录后自动发送"
              : outcome.later ? outcome.reason : "网络不通，联网后自动发送";
            return savePost(item);
          });
        };
        return next(0);
      });
    };
    // One tab at a time sends (two would each send the same post; the server would answer
    // the second as the first, but there is no need).
    var locked = navigator.locks ? navigator.locks.request("gridgov-offline-send", run) : run();
    return locked.catch(function () {}).then(function () {
      sending = false;
      return render();
    });
  }

  var sent = []; // what this page sent, to say so

  // What a kept post is, in the list: the form's data-offline (or the page's heading),
  // and its first words typed (or the page's subtitle: a visit's household).
  function labelOf(form) {
    var heading = document.querySelector("main h1");
    var what = form.getAttribute("data-offline") || (heading ? heading.textContent.trim() : "");
    var detail = "";
    form.querySelectorAll("input[type=text], textarea").forEach(function (field) {
      detail = detail || field.value.trim();
    });
    if (!detail) {
      var subtitle = document.querySelector("main .page-head .muted");
      detail = subtitle ? subtitle.textContent.trim().replace(/\s+/g, " ") : "";
    }
    return (what || "表单") + (detail ? "：" + detail.slice(0, 60) : "");
  }

  function keep(form, data, reason) {
    var fields = [];
    data.forEach(function (value, name) {
      if ((value instanceof File && !value.name && !value.size) || name === "offline_at") {
        return; // an empty file input; a form's own empty offline_at, set below
      }
      fields.push([name, value]);
    });
    var item = {
      user: USER,
      action: actionOf(form),
      fields: fields.concat([["offline_at", new Date().toISOString()]]),
      label: labelOf(form),
      page: location.pathname,
      kept_at: Date.now(),
      state: "waiting",
      reason: reason,
    };
    return savePost(item).then(function () {
      form.reset();
      renewToken(form);
      form.removeAttribute("data-sent");
      idle(form);
      note(form, "网络不通，已存在手机上，联网后自动发送。");
      return render();
    });
  }

  // -- the form ---------------------------------------------------------------------------

  // Not form.action: a field named "action" (patrol's end/cancel buttons) hides it.
  function actionOf(form) {
    return new URL(form.getAttribute("action") || "", location.href).href;
  }

  function busy(form, submitter) {
    form.setAttribute("data-offline-busy", "1");
    form.querySelectorAll("[type=submit]").forEach(function (button) {
      button.disabled = true;
      if (button === submitter && button.getAttribute("data-busy")) {
        button.setAttribute("data-label", button.textContent);
        button.textContent = button.getAttribute("data-busy");
      }
    });
  }

  function idle(form) {
    form.removeAttribute("data-offline-busy");
    form.querySelectorAll("[type=submit]").forEach(function (button) {
      button.disabled = false;
      if (button.getAttribute("data-label")) {
        button.textContent = button.getAttribute("data-label");
        button.removeAttribute("data-label");
      }
    });
  }

  function note(form, text) {
    var box = form.parentNode.querySelector(".offline-note");
    if (!box) {
      box = document.createElement("p");
      box.className = "alert alert--notice offline-note";
      box.setAttribute("role", "status");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text;
  }

  // Capture: before forms.js (data-once), which would otherwise disable the buttons of a
  // form that stays on the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-offline")) {
      return;
    }
    if (form.getAttribute("data-offline-native")) { // a refusal, shown by the server itself
      form.removeAttribute("data-offline-native");
      return;
    }
    var submitter = event.submitter;
    var question = submitter && submitter.getAttribute("data-confirm");
    event.preventDefault();
    event.stopImmediatePropagation();
    if (form.getAttribute("data-offline-busy") || (question && !window.confirm(question))) {
      return;
    }
    var data = new FormData(form, submitter);
    if (csrfCookie()) {
      data.set(CSRF_FIELD, csrfCookie()); // a page from the cache may hold an old one
    }
    if (!navigator.onLine) {
      keep(form, data, "");
      return;
    }
    busy(form, submitter);
    post(actionOf(form), data, "send").then(function (outcome) {
      if (outcome.ok) {
        window.location.assign(outcome.location);
      } else if (outcome.network) {
        keep(form, data, "");
      } else if (outcome.login) {
        keep(form, data, "登录已过期：请重新登录，登录后自动发送").then(function () {
          note(form, "登录已过期，已存在手机上。请重新登录，登录后自动发送。");
        });
      } else {
        // The server refused it (a form error…): post it the ordinary way, so the page
        // comes back with the errors marked. Its token was not used up by a refusal.
        idle(form);
        form.setAttribute("data-offline-native", "1");
        form.requestSubmit(submitter);
      }
    });
  }, true);

  // -- the badge and the list -------------------------------------------------------------

  var bar = document.createElement("div");
  bar.className = "offline-bar";
  bar.hidden = true;
  bar.innerHTML = "<button type=\"button\" class=\"offline-bar__badge\" aria-expanded=\"false\"></button>"
    + "<div class=\"offline-bar__panel\" hidden><ol class=\"offline-bar__list\"></ol>"
    + "<button type=\"button\" class=\"button offline-bar__send\">立即发送</button></div>";
  var badge = bar.querySelector(".offline-bar__badge");
  var panel = bar.querySelector(".offline-bar__panel");
  var list = bar.querySelector(".offline-bar__list");
  badge.addEventListener("click", function () {
    panel.hidden = !panel.hidden;
    badge.setAttribute("aria-expanded", String(!panel.hidden));
  });
  bar.querySelector(".offline-bar__send").addEventListener("click", function () {
    allPosts().then(function (posts) {
      return Promise.all(posts.map(function (p) {
        p.state = "waiting";
        return savePost(p);
      }));
    }).then(sendQueue);
  });
  list.addEventListener("click", function (event) {
    var id = Number(event.target.getAttribute("data-drop"));
    if (id && window.confirm("删除这条记录？删除后不会再发送。")) {
      dropPost(id).then(render);
    }
  });

  function when(ms) {
    var moment = new Date(ms);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (moment.getMonth() + 1) + "月" + moment.getDate() + "日 "
      + pad(moment.getHours()) + ":" + pad(moment.getMinutes());
  }

  function render() {
    return allPosts().then(function (posts) {
      var offline = !navigator.onLine;
      bar.hidden = !posts.length && !offline && !sent.length;
      bar.classList.toggle("offline-bar--offline", offline);
      var words = [];
      if (offline) {
        words.push("离线");
      }
      if (posts.length) {
        words.push("待发送 " + posts.length + " 条");
      } else if (sent.length) {
        words.push("已发送 " + sent.length + " 条");
      }
      badge.textContent = words.join(" · ") || "离线";
      bar.querySelector(".offline-bar__send").disabled = offline || !posts.length;
      list.innerHTML = "";
      posts.forEach(function (p) {
        var row = document.createElement("li");
        row.className = "offline-bar__item" + (p.state === "refused" ? " offline-bar__item--refused" : "");
        var head = document.createElement("span");
        head.textContent = when(p.kept_at) + " " + p.label;
        row.appendChild(head);
        var state = document.createElement("span");
        state.className = "small " + (p.state === "refused" ? "field__error" : "muted");
        state.textContent = p.state === "refused" ? "被退回：" + p.reason : (p.reason || "等待发送");
        row.appendChild(state);
        if (p.state === "refused") {
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "button button--small";
          drop.setAttribute("data-drop", p.id);
          drop.textContent = "删除";
          row.appendChild(drop);
        }
        list.appendChild(row);
      });
      sent.forEach(function (s) {
        var row = document.createElement("li");
        row.className = "offline-bar__item";
        var link = document.createElement("a");
        link.href = s.location;
        link.textContent = "已发送：" + s.label + (s.said ? "（" + s.said + "）" : "");
        row.appendChild(link);
        list.appendChild(row);
      });
    });
  }

  // Links marked data-offline-keep (a to-do list's 记录走访 of each household) lead to
  // pages with a data-offline form: while online, keep a copy of each in the service
  // worker's page cache, one after the other, so they open in a village with no signal.
  var KEEP_LINKS = 30;

  function keepLinkedPages() {
    if (!navigator.onLine || !window.caches || !navigator.serviceWorker
        || !navigator.serviceWorker.controller) {
      return Promise.resolve();
    }
    var urls = [];
    document.querySelectorAll("a[data-offline-keep]").forEach(function (link) {
      if (urls.indexOf(link.href) < 0 && urls.length < KEEP_LINKS) {
        urls.push(link.href);
      }
    });
    return caches.open("gridgov-pages").then(function (cache) {
      return urls.reduce(function (previous, url) {
        return previous.then(function () {
          return cache.match(url).then(function (kept) {
            if (kept) {
              return null;
            }
            return fetch(url, { credentials: "same-origin" }).then(function (response) {
              var type = response.headers.get("Content-Type") || "";
              if (response.status === 200 && !response.redirected && type.indexOf("text/html") === 0) {
                return cache.put(url, response);
              }
              return null;
            });
          });
        });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      // Says the copies are made (a browser test waits for it before going offline).
      document.documentElement.setAttribute("data-offline-kept", String(urls.length));
    });
  }

  // -- start ----------------------------------------------------------------------------

  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    renewToken(form);
    var csrf = form.querySelector("input[name=" + CSRF_FIELD + "]");
    if (csrf && csrfCookie()) {
      csrf.value = csrfCookie(); // for the ordinary post that shows a refusal's page
    }
  });
  window.addEventListener("online", sendQueue);
  window.addEventListener("offline", render);
  function start() {
    document.body.appendChild(bar);
    render().then(sendQueue).then(keepLinkedPages);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  // Logging out leaves no pages of this person on the phone (their kept posts stay, and
  // go when they log in again).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("site-user__logout") || !window.caches) {
      return;
    }
    event.preventDefault();
    caches.delete("gridgov-pages").catch(function () {}).then(function () { form.submit(); });
  });

  if (WORKER && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(WORKER).catch(function () {});
  }
})();
