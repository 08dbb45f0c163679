// Live updates: one WebSocket per tab to /ws (protocol: alveole/live/ws.py).
// - resumes with ?after=<last event number applied>, kept in memory and in sessionStorage
// - reconnects with exponential backoff and jitter (1 s → 30 s); pings every 25 s
// - applies events to what is on the page, always through server-rendered fragments or the
//   absolute numbers the events carry, so applying an event twice changes nothing
// - "resync" (too far behind): shows a "new activity — refresh" bar and refreshes the bell
// - typing: sends {"type": "typing", "post_id"} at most every 3 s; shows "Anna is typing…" for 5 s
// Strings come translated from data-* attributes of [data-live-bar] (app.html); addresses from the
// server through request.js's urlFor.

import { emojiName } from "./emoji-picker.js";
import { enhance, html, updateCount } from "./feed.js";
import { messageArrived, messageReacted, messageUpdated, setMessagesUnread, showTyping as showMessageTyping } from "./messages.js";
import { getFragment, getJSON, request, urlFor } from "./request.js";

const bar = document.querySelector("[data-live-bar]");
const PING_EVERY = 25_000;
const TYPING_EVERY = 3_000;
const TYPING_SHOWN = 5_000;
const BACKOFF_MIN = 1_000;
const BACKOFF_MAX = 30_000;

function text(name, values = {}) {
  let value = bar?.dataset[name] || "";
  for (const [key, v] of Object.entries(values)) value = value.replaceAll(`{${key}}`, String(v));
  return value;
}

function plural(prefix, n) {
  // The server rendered the "one" and "other" forms of each sentence; pick with the page's language.
  if (n === 0 && bar?.dataset[`${prefix}Zero`]) return text(`${prefix}Zero`);
  let form = "other";
  try {
    form = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
  } catch {
    form = n === 1 ? "one" : "other";
  }
  return text(form === "one" ? `${prefix}One` : `${prefix}Other`, { n });
}

function here() {
  const url = new URL(window.location.href);
  url.searchParams.delete("cursor");
  url.searchParams.delete("fragment");
  return url.pathname + url.search;
}

function cardsOf(postId) {
  return [...document.querySelectorAll(`article.post[data-post-id="${Number(postId)}"]`)];
}

async function cardFragment(postId, extra = {}) {
  const url = urlFor("post", { id: Number(postId) });
  if (!url) return null;
  const params = new URLSearchParams({ fragment: "1", next: here(), ...extra });
  try {
    const { status, text } = await request(`${url}?${params}`, { fragment: true });
    if (status !== 200) return null; // 204: not in this feed
    return html(text).querySelector("article.post");
  } catch {
    return null; // 404: gone or not visible; offline: the next event or the resync tells
  }
}

function announce(message) {
  const status = document.querySelector("[data-live-status]");
  if (!status || !message) return;
  status.textContent = "";
  setTimeout(() => {
    status.textContent = message;
  }, 50);
}

function flash(element) {
  element.classList.add("is-new", "is-arrived");
  setTimeout(() => element.classList.remove("is-arrived"), 2500);
}

// ---- the bell ------------------------------------------------------------------------------
const bell = document.querySelector("[data-bell]");

function setUnread(count) {
  if (!bell) return;
  const n = Math.max(0, Number(count) || 0);
  const badge = bell.querySelector("[data-bell-count]");
  const before = Number(bell.dataset.unread ?? badge?.textContent.replace("+", "") ?? 0) || 0;
  bell.dataset.unread = String(n);
  if (badge) {
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
  }
  bell.classList.toggle("has-unread", n > 0);
  let label = bell.dataset.labelNone;
  if (n > 0) {
    let form = "other";
    try {
      form = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
    } catch {
      form = n === 1 ? "one" : "other";
    }
    label = (form === "one" ? bell.dataset.labelOne : bell.dataset.labelOther).replaceAll("{n}", String(n));
  }
  bell.setAttribute("aria-label", label);
  const status = document.querySelector("[data-bell-status]");
  if (status && n > before) status.textContent = label;
}

async function refreshUnread() {
  const url = urlFor("notifications_unread");
  if (!url) return;
  try {
    setUnread((await getJSON(url)).unread);
  } catch {
    // the next notifications.changed event will carry the number
  }
}

// ---- applying events ------------------------------------------------------------------------
const me = Number(bar?.dataset.userId || 0);

async function postCreated(data) {
  const feed = document.querySelector("[data-feed][data-live-feed]");
  if (!feed || cardsOf(data.post_id).length) return;
  const scope = feed.dataset.liveFeed;
  const extra = {};
  if (scope === "space") {
    if (String(data.space_id) !== feed.dataset.spaceId) return;
  } else if (scope === "home") {
    Object.assign(extra, { feed: "home", filter: feed.dataset.filter || "all" });
  } else {
    return;
  }
  const card = await cardFragment(data.post_id, extra);
  if (!card || cardsOf(data.post_id).length) return; // the composer may have put it there meanwhile
  document.querySelectorAll("[data-feed-empty]").forEach((e) => e.remove());
  feed.prepend(card);
  enhance(card);
  flash(card);
  if (data.author?.id !== me) announce(text("newPost", { name: data.author?.full_name || "" }));
}

async function postUpdated(data) {
  const cards = cardsOf(data.post_id);
  if (!cards.length) return;
  const fresh = await cardFragment(data.post_id);
  if (!fresh) return;
  for (const card of cards) {
    // Head, body and attachments change; the footer and an open thread stay as they are.
    const foot = card.querySelector(":scope > footer.post-foot");
    const replacement = fresh.cloneNode(true);
    const freshFoot = replacement.querySelector(":scope > footer.post-foot");
    const head = [];
    for (const child of [...replacement.children]) {
      if (child === freshFoot) break;
      head.push(child);
    }
    for (const child of [...card.children]) {
      if (child === foot) break;
      child.remove();
    }
    if (foot) foot.before(...head);
    card.classList.toggle("is-pinned", replacement.classList.contains("is-pinned"));
    enhance(card);
  }
}

function postDeleted(data) {
  for (const card of cardsOf(data.post_id)) {
    const note = document.createElement("p");
    note.className = "post-gone muted";
    note.setAttribute("role", "status");
    note.tabIndex = -1;
    note.textContent = text("postDeleted");
    const hadFocus = card.contains(document.activeElement);
    card.replaceWith(note);
    if (hadFocus) note.focus();
  }
}

// A moderator hid a post or showed it again: ask for the card as this viewer may see it now (its
// author and those who moderate it get it marked; anyone else a "not found", and it goes).
async function postHidden(data) {
  const cards = cardsOf(data.post_id);
  if (!cards.length) return;
  const fresh = await cardFragment(data.post_id);
  if (!fresh) {
    postDeleted(data);
    return;
  }
  await postUpdated(data);
}

// A moderator published or refused a post that waited for validation (this viewer saw it waiting):
// ask for the card again; a refused post stays only with its author, so it simply goes for the rest.
async function postReviewed(data) {
  const cards = cardsOf(data.post_id);
  if (!cards.length) return;
  const fresh = await cardFragment(data.post_id);
  if (!fresh) {
    for (const card of cardsOf(data.post_id)) card.remove();
    return;
  }
  await postUpdated(data);
}

async function commentReviewed(data) {
  for (const card of cardsOf(data.post_id)) setCommentCount(card, data.comment_count);
  await commentHidden(data);
}

async function commentHidden(data) {
  const comment = document.querySelector(`#comment-${Number(data.comment_id)}`);
  if (!comment) return;
  let fresh = null;
  try {
    const params = new URLSearchParams({ fragment: "1", next: here() });
    const fragment = html(await getFragment(`${urlFor("post_comments", { id: Number(data.post_id) })}?${params}`));
    fresh = fragment.querySelector(`#comment-${Number(data.comment_id)}`);
  } catch {
    fresh = null; // the post itself is gone for this viewer
  }
  if (fresh) {
    comment.replaceWith(fresh);
    enhance(fresh);
  } else {
    const item = comment.closest("li");
    if (item && !item.querySelector(".replies li")) item.remove();
    else comment.remove();
  }
}

function setCommentCount(card, count) {
  const label = card.querySelector("[data-comment-count]");
  if (label) label.textContent = plural("comments", count);
  const body = card.querySelector("[data-comments-body]");
  if (body) {
    body.dataset.count = String(count);
    body.dataset.countLabel = plural("comments", count);
  }
}

async function commentCreated(data) {
  for (const card of cardsOf(data.post_id)) {
    setCommentCount(card, data.comment_count);
    clearTyping(data.post_id, data.author?.full_name);
    const body = card.querySelector(".comments-slot:not([hidden]) [data-comments-body]");
    if (!body || card.querySelector(`#comment-${Number(data.comment_id)}`)) continue;
    let fragment;
    try {
      const params = new URLSearchParams({ fragment: "1", next: here() });
      fragment = html(await getFragment(`${urlFor("post_comments", { id: Number(data.post_id) })}?${params}`));
    } catch {
      continue;
    }
    const comment = fragment.querySelector(`#comment-${Number(data.comment_id)}`);
    if (!comment || card.querySelector(`#comment-${Number(data.comment_id)}`)) continue;
    // Append only the new comment, so a reply being written stays untouched.
    const item = comment.closest("li") || comment;
    let target;
    const parent = data.parent_id && body.querySelector(`#comment-${Number(data.parent_id)}`);
    if (parent) {
      const thread = parent.closest("li");
      target = thread.querySelector(":scope > ol.replies");
      if (!target) {
        target = document.createElement("ol");
        target.className = "replies";
        target.setAttribute("role", "list");
        const replyBox = thread.querySelector(":scope > details.reply");
        if (replyBox) replyBox.before(target);
        else thread.append(target);
      }
      target.append(item);
    } else {
      target = body.querySelector(":scope > ol.comment-list");
      if (!target) {
        target = document.createElement("ol");
        target.className = "comment-list";
        target.setAttribute("role", "list");
        const none = body.querySelector(":scope > .no-comments");
        if (none) none.replaceWith(target);
        else body.querySelector(":scope > form.comment-form")?.before(target);
      }
      target.append(item);
    }
    enhance(item);
    flash(comment);
    const slot = card.querySelector(".comments-slot");
    if (slot) updateCount(slot);
  }
}

function commentUpdated(data) {
  const prose = document.querySelector(`#comment-${Number(data.comment_id)} .prose`);
  if (prose) prose.innerHTML = data.body_html; // sanitised by the server, as in the templates
}

function commentDeleted(data) {
  for (const card of cardsOf(data.post_id)) setCommentCount(card, data.comment_count);
  const comment = document.querySelector(`#comment-${Number(data.comment_id)}`);
  if (!comment) return;
  const item = comment.closest("li");
  if (item && !item.querySelector(".replies li")) item.remove();
  else comment.remove();
}

// The bar's counts are rendered by the server (feed/_reactions.html) and, live, by cloning the
// <template> that same partial puts in every bar: the event carries the counts in the bar's order,
// so a reaction costs the viewers no request at all (a fetched fragment would cost one request per
// viewer per reaction). Only my own reaction from another tab fetches the card, for my highlight.
async function renderSummary(card, reactions, order) {
  const holder = card.querySelector("[data-reactions]");
  const summary = holder?.querySelector("[data-reaction-summary]");
  const list = summary?.querySelector("[data-reaction-counts]");
  const template = holder?.querySelector("template[data-reaction-count]");
  if (!list || !template) return;
  const shown = new Map([...list.querySelectorAll("[data-emoji]")].map((chip) => [chip.dataset.emoji, chip]));
  const labels = new Map([...holder.querySelectorAll(".picker-quick button[value]")].map((b) => [b.value, b.title]));
  const chips = [];
  for (const emoji of order || Object.keys(reactions || {})) {
    const n = Number(reactions?.[emoji] || 0);
    if (n <= 0) continue;
    let chip = shown.get(emoji);
    if (!chip) {
      chip = template.content.firstElementChild.cloneNode(true);
      chip.dataset.emoji = emoji;
      chip.querySelector("[data-emoji-glyph]").textContent = emoji;
      const label = labels.get(emoji) || (await emojiName(emoji)) || emoji;
      chip.title = label;
      chip.querySelector("[data-emoji-label]").textContent = `${label}:`;
    }
    chip.querySelector("[data-count]").textContent = String(n);
    chips.push(chip);
  }
  list.replaceChildren(...chips);
  summary.hidden = chips.length === 0;
}

async function reactionChanged(data) {
  for (const card of cardsOf(data.post_id)) {
    if (data.user_id === me) {
      // My own reaction, from another tab or device: take the server's bar (it knows my highlight).
      const mine = card.querySelector(".react-button.is-mine")?.value ?? null;
      if (mine !== (data.kind ?? null)) {
        const fresh = await cardFragment(data.post_id);
        const freshBar = fresh?.querySelector("[data-reactions]");
        const current = card.querySelector("[data-reactions]");
        if (freshBar && current && !current.contains(document.activeElement)) current.replaceWith(freshBar);
      }
    }
    await renderSummary(card, data.reactions, data.order);
  }
}

// ---- polls and proposals (alveole/decisions) ---------------------------------------------------
// Votes only say "something changed" (counts may be hidden, anonymous polls never carry them):
// fetch the card as this viewer sees it and swap its vote section, at most once a second per post.
const voteRefresh = new Map(); // post id -> timer

function voteChanged(data) {
  const postId = data.post_id;
  if (!postId || !cardsOf(postId).length || voteRefresh.has(postId)) return;
  voteRefresh.set(
    postId,
    setTimeout(async () => {
      voteRefresh.delete(postId);
      const fresh = (await cardFragment(postId))?.querySelector(".vote-card");
      for (const card of cardsOf(postId)) {
        const current = card.querySelector(".vote-card");
        if (fresh && current && !current.contains(document.activeElement)) current.replaceWith(fresh.cloneNode(true));
      }
    }, 1000),
  );
}

const HANDLERS = {
  "poll.voted": voteChanged,
  "proposal.responded": voteChanged,
  "vote.closed": voteChanged,
  "post.created": postCreated,
  "post.updated": postUpdated,
  "post.deleted": postDeleted,
  "post.hidden": postHidden,
  "post.reviewed": postReviewed,
  "comment.reviewed": commentReviewed,
  "comment.hidden": commentHidden,
  "comment.created": commentCreated,
  "comment.updated": commentUpdated,
  "comment.deleted": commentDeleted,
  "reaction.changed": reactionChanged,
  "notifications.changed": (data) => setUnread(data.unread),
  "conversation.message": (data) => {
    setMessagesUnread(data.unread);
    messageArrived(data);
  },
  "conversation.message_updated": messageUpdated,
  "conversation.message_reacted": messageReacted,
  "conversations.unread": (data) => setMessagesUnread(data.unread),
};

// ---- typing -----------------------------------------------------------------------------------
const typing = new Map(); // post id -> Map(name -> timer)

function typingLine(card) {
  let line = card.querySelector(":scope > [data-typing]");
  if (!line) {
    line = document.createElement("div");
    line.className = "typing-line muted small";
    line.setAttribute("data-typing", "");
    line.setAttribute("aria-live", "polite");
    card.append(line);
  }
  return line;
}

function renderTyping(postId) {
  const names = [...(typing.get(postId)?.keys() || [])];
  for (const card of cardsOf(postId)) {
    const line = typingLine(card);
    line.replaceChildren(
      ...names.map((name) => {
        const p = document.createElement("p");
        p.textContent = text("typing", { name });
        return p;
      }),
    );
    line.hidden = names.length === 0;
  }
}

function showTyping(message) {
  const postId = Number(message.post_id);
  if (!postId || !cardsOf(postId).length || message.user_id === me) return;
  const name = String(message.name || "");
  const people = typing.get(postId) || new Map();
  clearTimeout(people.get(name));
  people.set(name, setTimeout(() => clearTyping(postId, name), TYPING_SHOWN));
  typing.set(postId, people);
  renderTyping(postId);
}

function clearTyping(postId, name) {
  const people = typing.get(Number(postId));
  if (!people || !people.has(name)) return;
  clearTimeout(people.get(name));
  people.delete(name);
  renderTyping(Number(postId));
}

const lastTyped = new Map();
document.addEventListener("input", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLTextAreaElement) || !box.value.trim()) return;
  if (!box.closest("form.comment-form")) return;
  const postId = Number(box.closest("article.post[data-post-id]")?.dataset.postId);
  if (!postId) return;
  const now = Date.now();
  if (now - (lastTyped.get(postId) || 0) < TYPING_EVERY) return;
  if (send({ type: "typing", post_id: postId })) lastTyped.set(postId, now);
});

// ---- the connection -----------------------------------------------------------------------------
const storageKey = `alveole.live.seq.${me}`;
let socket = null;
let seq = null;
let attempts = 0;
let pingTimer = null;
let retryTimer = null;
let stopped = false; // signed out, or paused by a test
let applying = Promise.resolve();
let helloSeq = 0;
let appliedHere = false; // has this page applied an event yet?
const loadedAt = Date.now();

try {
  const stored = Number(sessionStorage.getItem(storageKey));
  if (Number.isInteger(stored) && stored > 0) seq = stored;
} catch {
  seq = null;
}

function remember(value) {
  seq = value;
  try {
    sessionStorage.setItem(storageKey, String(value));
  } catch {
    // private mode: memory only
  }
}

function send(message) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(message));
  return true;
}

function resync(reason) {
  // "too_slow": the server closes this socket; the reconnection resumes from the last event applied.
  if (reason === "too_slow") return;
  // Too far behind: carry on from the server's current number, and say the page may be stale.
  remember(helloSeq);
  if (!appliedHere && Date.now() - loadedAt < 15_000) return; // this page was rendered moments ago
  if (bar) bar.hidden = false;
  refreshUnread();
}

function receive(message) {
  if (message.kind === "hello") {
    attempts = 0;
    helloSeq = message.seq;
    if (seq === null || seq > message.seq) remember(message.seq);
  } else if (message.kind === "event") {
    if (seq !== null && message.seq <= seq) return; // already applied
    remember(message.seq);
    appliedHere = true;
    const handler = HANDLERS[message.type];
    if (handler) {
      // One at a time, in order: a comment's count must not overtake its post's card.
      applying = applying.then(() => handler(message.data || {})).catch(() => {});
    }
    // Page modules (board.js) take the events they know from here, in the same order.
    const detail = { type: message.type, data: message.data || {} };
    applying = applying.then(() => document.dispatchEvent(new CustomEvent("alveole:live", { detail }))).catch(() => {});
  } else if (message.kind === "resync") {
    resync(message.reason);
  } else if (message.kind === "ephemeral" && message.type === "typing") {
    if (message.conversation_id) showMessageTyping(message);
    else showTyping(message);
  }
}

function connect() {
  if (stopped || !bar?.dataset.wsPath || (socket && socket.readyState <= WebSocket.OPEN)) return;
  clearTimeout(retryTimer);
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const query = seq !== null ? `?after=${seq}` : "";
  const ws = new WebSocket(`${scheme}//${window.location.host}${bar.dataset.wsPath}${query}`);
  socket = ws;
  ws.addEventListener("open", () => {
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: "ping" }), PING_EVERY);
  });
  ws.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    receive(message);
  });
  ws.addEventListener("close", (event) => {
    if (socket === ws) socket = null;
    clearInterval(pingTimer);
    if (event.code === 4401 || event.code === 4403 || event.code === 4003) {
      stopped = true; // signed out or deactivated: the next page load says so
      return;
    }
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  if (stopped) return;
  clearTimeout(retryTimer);
  const ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** attempts);
  const delay = ceiling / 2 + Math.random() * (ceiling / 2); // jitter: half to all of the ceiling
  attempts += 1;
  retryTimer = setTimeout(connect, delay);
}

bar?.querySelector("[data-live-refresh]")?.addEventListener("click", () => window.location.reload());

window.addEventListener("online", () => {
  attempts = 0;
  connect();
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && !socket) {
    attempts = 0;
    connect();
  }
});
window.addEventListener("pagehide", () => {
  stopped = true;
  socket?.close(1000);
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    stopped = false;
    connect();
  }
});

// For the browser tests (and for anyone debugging in the console): pause, drop and resume the socket.
window.alveoleLive = {
  disconnect() {
    stopped = true;
    clearTimeout(retryTimer);
    socket?.close(1000);
  },
  drop() {
    socket?.close(4000); // as if the network dropped it: the backoff takes over
  },
  reconnect() {
    stopped = false;
    attempts = 0;
    connect();
  },
  get seq() {
    return seq;
  },
  get connected() {
    return Boolean(socket && socket.readyState === WebSocket.OPEN);
  },
};

connect();
