// Direct messages: the navigation's unread count, and the conversation page kept up to date.
// - setMessagesUnread(n): every [data-messages-link] in the navigation (side and phone bars) shows n
// - live.js calls messageArrived / messageUpdated with the events of alveole/conversations/events.py; on
//   the conversation's own page the message is fetched as the server draws it (conversations/_message.html),
//   appended once (by id), and the conversation marked read
// - on the inbox, a new message shows the "new activity — refresh" bar
// - the composer sends without leaving the page, files included (the plain form works without this script)
// - messageReacted: a message's reactions drawn again by the server (its fragment), in place
// - typing: the composer posts to the API at most every 3 s while someone writes; live.js hands the
//   ephemeral "typing" messages of this conversation to showTyping ("Anna is typing…" for 6 s, or until
//   her message arrives), in a polite live region
// Imports only request.js, so live.js may import it.

import { clearError, request, sendForm, showError } from "./request.js";

export function setMessagesUnread(count) {
  const n = Math.max(0, Number(count) || 0);
  for (const link of document.querySelectorAll("[data-messages-link]")) {
    const badge = link.querySelector("[data-messages-count]");
    if (badge) {
      badge.textContent = n > 99 ? "99+" : String(n);
      badge.hidden = n === 0;
    }
    const label = link.querySelector("[data-messages-label]");
    if (label) {
      let form = "other";
      try {
        form = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
      } catch {
        form = n === 1 ? "one" : "other";
      }
      const template = form === "one" ? link.dataset.labelOne : link.dataset.labelOther;
      label.textContent = n ? `, ${(template || "").replaceAll("{n}", String(n))}` : "";
    }
    link.dataset.unread = String(n);
  }
}

const list = document.querySelector("[data-conversation]");

function fromHTML(text) {
  const template = document.createElement("template");
  template.innerHTML = text.trim();
  return template.content.querySelector("li.message");
}

async function fetchMessage(id) {
  const url = list.dataset.messageUrl.replace(/\/0\/$/, `/${Number(id)}/`);
  try {
    const { text } = await request(url, { fragment: true });
    return fromHTML(text);
  } catch {
    return null; // deleted or no longer ours: the next event or a reload tells
  }
}

function place(item) {
  if (!item || list.querySelector(`[data-message-id="${item.dataset.messageId}"]`)) return;
  list.querySelectorAll("[data-message-empty]").forEach((e) => e.remove());
  list.append(item);
  item.scrollIntoView({ block: "nearest" });
}

let readTimer;
function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    if (document.visibilityState !== "visible") return;
    request(list.dataset.readUrl, { method: "POST", json: {} }).catch(() => {});
  }, 300);
}

// ---- typing ------------------------------------------------------------------------------------
const TYPING_EVERY = 3_000;
const TYPING_SHOWN = 6_000;
const typingNow = new Map(); // user id -> {name, timer}

function renderTyping() {
  const line = document.querySelector("[data-message-typing]");
  if (!line) return;
  const template = document.querySelector("[data-live-bar]")?.dataset.typing || "{name}…";
  const text = [...typingNow.values()].map(({ name }) => template.replaceAll("{name}", name)).join(" ");
  if (line.textContent !== text) line.textContent = text;
}

function stopTyping(userId) {
  const entry = typingNow.get(Number(userId));
  if (!entry) return;
  clearTimeout(entry.timer);
  typingNow.delete(Number(userId));
  renderTyping();
}

export function showTyping(message) {
  if (!list || String(message.conversation_id) !== list.dataset.conversation) return;
  const userId = Number(message.user_id);
  const old = typingNow.get(userId);
  if (old) clearTimeout(old.timer);
  typingNow.set(userId, { name: String(message.name || ""), timer: setTimeout(() => stopTyping(userId), TYPING_SHOWN) });
  renderTyping();
}

export async function messageArrived(data) {
  if (document.querySelector("[data-inbox]")) {
    // The inbox is drawn by the server (order, names, excerpts): offer a refresh rather than guess.
    const bar = document.querySelector("[data-live-bar]");
    if (bar) bar.hidden = false;
    return false;
  }
  if (!list || String(data.conversation_id) !== list.dataset.conversation) return false;
  if (data.author) stopTyping(data.author.id);
  place(await fetchMessage(data.message_id));
  markRead();
  return true;
}

export async function messageUpdated(data) {
  if (!list || String(data.conversation_id) !== list.dataset.conversation) return;
  const old = list.querySelector(`[data-message-id="${Number(data.message_id)}"]`);
  if (!old) return;
  const fresh = await fetchMessage(data.message_id);
  if (fresh) old.replaceWith(fresh);
}

export async function messageReacted(data) {
  if (!list || String(data.conversation_id) !== list.dataset.conversation) return;
  const item = list.querySelector(`[data-message-id="${Number(data.message_id)}"]`);
  const current = item?.querySelector("[data-message-reactions]");
  if (!current) return;
  const fresh = (await fetchMessage(data.message_id))?.querySelector("[data-message-reactions]");
  if (!fresh || !current.isConnected) return;
  // Keep the keyboard where it was: the same button in the fresh bar, or the picker's button.
  const focused = current.contains(document.activeElement) ? document.activeElement : null;
  if (focused && current.querySelector("details[open]")) return; // the picker is open: the next change redraws
  current.replaceWith(fresh);
  if (focused) {
    const same = focused.value ? fresh.querySelector(`button[value="${CSS.escape(focused.value)}"]`) : null;
    (same || fresh.querySelector("summary"))?.focus();
  }
}

if (list) {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") markRead();
  });
  const composer = document.querySelector("[data-message-composer]");
  const box = composer?.querySelector("textarea");
  let lastTyped = 0;
  composer?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = composer.querySelector("input[type=file]");
    if (!box.value.trim() && !files?.files.length) {
      box.focus();
      return;
    }
    const button = composer.querySelector("button[type=submit]");
    button.disabled = true;
    clearError(composer);
    try {
      place(fromHTML(await sendForm(composer, event.submitter)));
      box.value = "";
      if (files) files.value = "";
      lastTyped = 0;
      composer.querySelector(".message-replying")?.remove(); // the next message starts a thread of its own
    } catch (error) {
      showError(composer, error);
    } finally {
      button.disabled = false;
      box.focus();
    }
  });
  // "Typing": told to the others at most every TYPING_EVERY while there is text (the server drops more).
  box?.addEventListener("input", () => {
    const url = composer.dataset.typingUrl;
    if (!url || !box.value.trim() || Date.now() - lastTyped < TYPING_EVERY) return;
    lastTyped = Date.now();
    request(url, { method: "POST", json: {} }).catch(() => {});
  });
  // Enter sends, Shift+Enter makes a new line (as in other chat tools).
  box?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
}
