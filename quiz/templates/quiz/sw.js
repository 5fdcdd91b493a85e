{% autoescape off %}/* The attempt pages' service worker (served by quiz.offline_views.service_worker from
   /quiz/attempts/sw.js: its scope is /quiz/attempts/ and nothing else, so no staff page and no
   other room of the site ever passes through it).

   What it does, and why:
   - An attempt page (/quiz/attempts/<id>/) always comes from the server first. When the server
     answers 200 with HTML, a copy is kept (one per attempt, its security headers kept, no
     cookies). When the server cannot be reached (or a gateway says 502/503/504) the copy is
     shown instead of the browser's error, marked data-served="copy" so the page knows (quiz.js
     then puts back the answers saved since the copy, uses the clock it learnt online and says
     «đang mất mạng, bài vẫn được giữ»). Without a copy, the offline page is shown.
   - A copy is forgotten as soon as it can no longer be right or may not be the reader's: when
     the server answers the address with anything else (the attempt is over: a redirect to the
     result; a 403 or 404: not this person's), when its result page is opened, after 12 hours,
     and when the site is seen signed out (site.js deletes the whole cache). The server's
     «no-store» is obeyed: such a page is never kept.
   - Answers and the submit (POST) are never touched: they go to the server, and quiz.js keeps
     unsaved answers in localStorage until the server acknowledges them.
   - Static files are kept in a cache named after this script's version (a digest of the script
     and of the files), so a stale worker never mixes files of two deploys; a new worker takes
     over at once (skipWaiting: the pages never talk to the worker, so a swap under an open page
     changes nothing it relies on) and deletes the older versions' caches, never the copies.
*/
"use strict";
var VERSION = "{{ version }}";
var SHELL = "quiz-shell-" + VERSION;   // the offline page and the static files of this version
var COPIES = "quiz-attempt-copies-v1"; // the last copy of each open attempt page (format v1)
var OFFLINE_URL = "{{ offline_url }}";
var PRECACHE = [{% for url in precache %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var STATIC_PREFIX = "{{ static_prefix|escapejs }}";
var ATTEMPT = /^\/quiz\/attempts\/(\d+)\/$/;
var RESULT = /^\/quiz\/attempts\/(\d+)\/result\/$/;
var MAX_AGE_MS = 12 * 60 * 60 * 1000; // as long as the page's autosave token lives
var KEPT_AT = "X-Offline-Copy-At";
// The headers a copy keeps: what the page needs and the policies that protect it.
var KEEP_HEADERS = ["Content-Type", "Content-Language", "Content-Security-Policy", "Content-Security-Policy-Report-Only",
  "Permissions-Policy", "Referrer-Policy", "X-Content-Type-Options", "X-Frame-Options", "Cross-Origin-Opener-Policy"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) {
        return cache.addAll(PRECACHE.map(function (url) { return new Request(url, { credentials: "omit", cache: "reload" }); }));
      })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key.indexOf("quiz-shell-") === 0 && key !== SHELL; })
          .map(function (key) { return caches.delete(key); }));
      })
      .then(pruneCopies)
      .then(copyOpenAttempts)
  );
});

function copyKey(url) { var u = new URL(url); return u.origin + u.pathname; }

function keep(url, response) {
  // Only the attempt page itself, as the server sent it, never marked no-store.
  var type = response.headers.get("Content-Type") || "";
  var control = response.headers.get("Cache-Control") || "";
  if (response.status !== 200 || response.redirected || response.type !== "basic" || type.indexOf("text/html") !== 0 || /no-store/i.test(control)) {
    return Promise.resolve();
  }
  return response.text().then(function (text) {
    var headers = new Headers();
    KEEP_HEADERS.forEach(function (name) { var value = response.headers.get(name); if (value) { headers.set(name, value); } });
    headers.set(KEPT_AT, String(Date.now()));
    return caches.open(COPIES).then(function (cache) { return cache.put(copyKey(url), new Response(text, { status: 200, headers: headers })); });
  });
}

function forget(url) {
  return caches.open(COPIES).then(function (cache) { return cache.delete(copyKey(url)); });
}

function fresh(copy) { return Date.now() - parseInt(copy.headers.get(KEPT_AT) || "0", 10) < MAX_AGE_MS; }

function pruneCopies() {
  return caches.open(COPIES).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.map(function (request) {
        return cache.match(request).then(function (copy) { if (!copy || !fresh(copy)) { return cache.delete(request); } });
      }));
    });
  });
}

function copyOpenAttempts() {
  // An attempt page opened before this worker existed has no copy yet: take one now, once.
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    return Promise.all(windows.map(function (client) {
      var url = new URL(client.url);
      if (url.origin !== self.location.origin || !ATTEMPT.test(url.pathname)) { return null; }
      return caches.open(COPIES).then(function (cache) { return cache.match(copyKey(client.url)); }).then(function (copy) {
        if (copy) { return null; }
        return fetch(url.origin + url.pathname, { credentials: "same-origin", redirect: "manual" })
          .then(function (response) { return keep(client.url, response); })
          .catch(function () { return null; });
      });
    }));
  });
}

function offlinePage() {
  return caches.match(OFFLINE_URL, { cacheName: SHELL }).then(function (page) {
    if (!page) {
      return new Response("Đang mất mạng, bài vẫn được giữ. Khi có mạng, hãy tải lại trang.", {
        status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
    // A new response, so the address stays the one asked for (a reload retries the attempt).
    return page.text().then(function (text) {
      var headers = new Headers();
      KEEP_HEADERS.forEach(function (name) { var value = page.headers.get(name); if (value) { headers.set(name, value); } });
      return new Response(text, { status: 503, headers: headers });
    });
  });
}

function copyOrOffline(request, fallback) {
  return caches.open(COPIES).then(function (cache) { return cache.match(copyKey(request.url)); }).then(function (copy) {
    if (copy && fresh(copy)) {
      return copy.text().then(function (text) {
        return new Response(text.replace('data-served="server"', 'data-served="copy"'), { status: 200, headers: copy.headers });
      });
    }
    return fallback || offlinePage();
  });
}

function attemptPage(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    if (response.status >= 502 && response.status <= 504) { return copyOrOffline(request, response); }
    if (response.status === 200 && response.type === "basic") {
      event.waitUntil(keep(request.url, response.clone()).catch(function () { return null; }));
    } else {
      // Over (a redirect to the result), not this person's (403, 404) or anything else: forget it.
      event.waitUntil(forget(request.url));
    }
    return response;
  }, function () {
    return copyOrOffline(request, null);
  });
}

function staticFile(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; } // answers and the submit: straight to the server
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    if (ATTEMPT.test(url.pathname)) { event.respondWith(attemptPage(event)); return; }
    var result = url.pathname.match(RESULT);
    if (result) { event.waitUntil(forget(url.origin + "/quiz/attempts/" + result[1] + "/")); }
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) { event.respondWith(staticFile(request)); }
});
{% endautoescape %}
