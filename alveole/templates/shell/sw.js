{% load static %}// Alvéole's service worker, served at /sw.js by alveole/shell/installable.py so that it controls every page.
// - install: precache the app shell (the CSS, the JS modules, the icons); a new version of any of them
//   changes VERSION, so the browser installs a new worker, which drops the old shell cache
// - navigations: network first; feed pages the server marks "X-Alveole-Offline: keep" (never confidential
//   ones) are kept, the last MAX_PAGES of them, and shown when the network is gone; else an offline page
// - signing out empties the kept pages: they belong to the person who was signed in
// - posts written offline are queued by the page (outbox.js), not here: they go when the page is back online
// - Web Push's handlers live in their own script
importScripts({{ push_script|safe }});

const VERSION = "{{ version }}";
const SHELL_CACHE = `alveole-shell-${VERSION}`;
const PAGES_CACHE = "alveole-pages";
const SHELL = {{ shell|safe }};
const STATIC_PREFIX = "{% get_static_prefix %}";
const LOGOUT = "{% url 'account_logout' %}";
const LOGIN = "{% url 'account_login' %}";
const OFFLINE_PAGE = {{ offline_page|safe }};
const MAX_PAGES = 20;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("alveole-shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function keepPage(request, response) {
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(request, response);
  // Entries come back oldest first (a page visited again moves to the end): drop the oldest.
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
}

function offlinePage() {
  return new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function navigate(event) {
  const request = event.request;
  let response;
  try {
    response = await fetch(request);
  } catch {
    const kept = await caches.match(request, { cacheName: PAGES_CACHE, ignoreVary: true });
    return kept || offlinePage();
  }
  if (response.ok && !response.redirected && response.headers.get("X-Alveole-Offline") === "keep") {
    event.waitUntil(keepPage(request, response.clone()));
  } else if (new URL(response.url).pathname === LOGIN) {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
  return response;
}

async function shellFirst(request) {
  const kept = await caches.match(request, { cacheName: SHELL_CACHE });
  return kept || fetch(request);
}

async function staticNetworkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: SHELL_CACHE });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === LOGOUT) {
    event.waitUntil(caches.delete(PAGES_CACHE));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") event.respondWith(navigate(event));
  else if (SHELL.includes(url.pathname)) event.respondWith(shellFirst(request));
  else if (url.pathname.startsWith(STATIC_PREFIX)) event.respondWith(staticNetworkFirst(request));
});
