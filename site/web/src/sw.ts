// The service worker: after a first visit the whole site, kernel included,
// is kept in the browser, so the playground loads without a network (a
// workshop room on bad wifi). Pages are fetched fresh when the network is
// there; assets, whose names carry their hash, come from the cache.

/// <reference lib="webworker" />
const sw = self as unknown as ServiceWorkerGlobalScope;

interface Manifest {
  wasm: string;
  app: string;
  worker: string;
  style: string;
  pages: string[];
}

const PREFIX = "crucible-";
const cacheName = (m: Manifest) => PREFIX + m.wasm + "-" + m.app;

async function manifest(): Promise<Manifest> {
  try {
    return await (await fetch("build.json", { cache: "no-cache" })).json();
  } catch {
    const cached = await caches.match("build.json");
    if (!cached) throw new Error("no build.json");
    return cached.json();
  }
}

sw.addEventListener("install", (e) => {
  e.waitUntil(
    (async () => {
      const m = await manifest();
      const cache = await caches.open(cacheName(m));
      await cache.addAll(["./", "build.json", m.app, m.worker, m.style, m.wasm, ...m.pages]);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (e) => {
  e.waitUntil(
    (async () => {
      const keep = cacheName(await manifest());
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== keep) await caches.delete(name);
      }
      await sw.clients.claim();
    })(),
  );
});

const fresh = (url: URL) => url.pathname.endsWith("/") || url.pathname.endsWith(".html") || url.pathname.endsWith("/build.json");

sw.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin) return;
  if (fresh(url)) {
    // Network first, so a rebuilt site shows; the cache when offline.
    e.respondWith(
      fetch(e.request).catch(async () => (await caches.match(e.request, { ignoreSearch: true })) ?? Response.error()),
    );
    return;
  }
  e.respondWith((async () => (await caches.match(e.request)) ?? fetch(e.request))());
});
