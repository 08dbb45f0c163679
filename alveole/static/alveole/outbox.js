// Posts written without a connection wait here (localStorage), each with its idempotency key, and are
// sent when the browser is back online — exactly once: the server answers a key it has seen with the
// post it already made, so a second flush (another tab, a retry after a lost answer) creates nothing.
// - queue(form): keep the composer's fields for its author; list(): this person's waiting posts
// - flush(send): send them in order; send(item) resolves with the server's answer, or throws
//   RequestError (status 0: still offline, kept; any other status: refused, dropped and reported)
// feed.js owns the composer and shows what waits; this module only stores and sends.

const STORE = "alveole-outbox";
const LOCK = "alveole-outbox";

function viewer() {
  return document.body?.dataset.viewer || "";
}

function readAll() {
  try {
    const items = JSON.parse(localStorage.getItem(STORE) || "[]");
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

function writeAll(items) {
  localStorage.setItem(STORE, JSON.stringify(items));
}

// Only the signed-in person's: someone else signed in on this browser never sends another's posts.
export function list() {
  const me = viewer();
  return me ? readAll().filter((item) => item.author === me) : [];
}

export function queue(form) {
  const fields = [];
  for (const [name, value] of new FormData(form)) {
    // The CSRF token is the page's, not the future's: request.js sends the cookie's when it goes.
    if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([name, value]);
  }
  const key = fields.find(([name]) => name === "idempotency_key")?.[1];
  const item = { key, author: viewer(), url: form.action, fields, queuedAt: new Date().toISOString() };
  writeAll([...readAll().filter((other) => other.key !== key), item]);
  return item;
}

function remove(key) {
  writeAll(readAll().filter((item) => item.key !== key));
}

export function formData(item) {
  const data = new FormData();
  for (const [name, value] of item.fields) data.append(name, value);
  return data;
}

let flushing = null;

async function flushNow(send, { sent, refused }) {
  for (const item of list()) {
    if (!navigator.onLine) return;
    try {
      const answer = await send(item);
      remove(item.key);
      sent?.(item, answer);
    } catch (error) {
      if (!error?.status) return; // no connection after all: everything stays for the next try
      remove(item.key);
      refused?.(item, error);
    }
  }
}

// One flush at a time in this tab, and across tabs when the browser has Web Locks.
export function flush(send, callbacks = {}) {
  if (!list().length || !navigator.onLine) return Promise.resolve();
  flushing ||= (navigator.locks
    ? navigator.locks.request(LOCK, () => flushNow(send, callbacks))
    : flushNow(send, callbacks)
  ).finally(() => {
    flushing = null;
  });
  return flushing;
}
