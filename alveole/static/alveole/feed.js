// The feed's progressive enhancement. Every form here also works as a plain POST.
// - composer: upload files first (POST /api/v1/files), then post without a reload; the server
//   answers the rendered card, inserted at the top of the feed; the mention warning is shown
// - offline (or when the post cannot reach the server) the composer keeps the post in the outbox,
//   lists it as waiting, and the outbox sends it when the browser is back online (outbox.js)
// - @ and # autocomplete in any textarea[data-autocomplete]
// - forms with data-fragment-form are sent with fetch; their answer replaces data-replace
// - comments expand inline; "Load more" turns into infinite scroll; share opens a dialog
// - reads: cards at least half visible for a second are sent in batches to POST /api/v1/reads
// - exports the helpers live.js uses to put server-rendered fragments in place
// Requests and their errors go through request.js; addresses come from the server (urlFor).

import { getFragment, getJSON, postJSON, request, sendForm, showError, urlFor, urlPattern } from "./request.js";
import "./emoji-picker.js";
import * as outbox from "./outbox.js";

function html(text) {
  const template = document.createElement("template");
  template.innerHTML = text.trim();
  return template.content;
}

// A random UUID (version 4) for a post's idempotency key; randomUUID needs a secure context, which a
// self-hosted site on a plain-HTTP intranet is not.
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function feedList() {
  return document.querySelector("[data-feed]");
}

function announce(text) {
  let live = document.getElementById("feed-live");
  if (!live) {
    live = document.createElement("p");
    live.id = "feed-live";
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    document.body.append(live);
  }
  live.textContent = "";
  setTimeout(() => {
    live.textContent = text;
  }, 50);
}

function insertCard(text, form) {
  const fragment = html(text);
  const warning = fragment.querySelector("[data-mention-warning]");
  const card = fragment.querySelector("article.post");
  const list = feedList();
  document.querySelectorAll("[data-feed-empty]").forEach((e) => e.remove());
  if (card && list) {
    card.classList.add("is-new");
    // The live layer may have shown this card already (its event can beat this answer).
    const shown = list.querySelector(`article.post[data-post-id="${card.dataset.postId}"]`);
    if (shown) shown.replaceWith(card);
    else list.prepend(card);
    enhance(card);
  }
  const holder = form?.querySelector("[data-composer-error]");
  if (warning && holder) holder.append(warning);
  else if (warning && card) card.before(warning);
  return card;
}

// ---- composer -----------------------------------------------------------------------------------
function setupComposer(form) {
  const input = form.querySelector("[data-file-input]");
  const previews = form.querySelector("[data-previews]");
  form.querySelectorAll("[data-needs-js]").forEach((e) => {
    e.hidden = false;
  });
  let pending = 0;

  input?.addEventListener("change", () => {
    for (const file of input.files) upload(file);
    input.value = "";
  });

  async function upload(file) {
    const item = document.createElement("li");
    item.className = "preview is-uploading";
    const name = document.createElement("span");
    name.className = "preview-name truncate";
    name.textContent = file.name;
    const state = document.createElement("span");
    state.className = "preview-state small muted";
    state.textContent = form.dataset.uploading;
    if (file.type.startsWith("image/")) {
      const img = document.createElement("img");
      img.alt = "";
      img.src = URL.createObjectURL(file);
      img.addEventListener("load", () => URL.revokeObjectURL(img.src), { once: true });
      item.append(img);
    }
    item.append(name, state);
    previews.append(item);
    pending += 1;
    const data = new FormData();
    data.append("file", file);
    try {
      const { data: payload } = await request(form.dataset.uploadUrl, { method: "POST", form: data });
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "attachment_ids";
      hidden.value = payload.id;
      item.append(hidden);
      item.classList.remove("is-uploading");
      state.textContent = "";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "preview-remove";
      remove.setAttribute("aria-label", `${form.dataset.removeLabel} ${file.name}`);
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        item.remove();
        form.querySelector("textarea")?.focus();
      });
      item.append(remove);
    } catch (error) {
      item.classList.remove("is-uploading");
      item.classList.add("is-failed");
      state.textContent = error.status ? error.message : form.dataset.uploadFailed;
      state.setAttribute("role", "alert");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "preview-remove";
      remove.setAttribute("aria-label", `${form.dataset.removeLabel} ${file.name}`);
      remove.textContent = "×";
      remove.addEventListener("click", () => item.remove());
      item.append(remove);
    } finally {
      pending -= 1;
    }
  }

  // A page kept by the service worker carries the key it was first shown with, maybe used since.
  const key = form.querySelector("[data-idempotency-key]");
  if (key) key.value = newKey();
  showOutbox();

  form.addEventListener("submit", async (event) => {
    if (!navigator.onLine && pending === 0) {
      event.preventDefault();
      keepForLater(form);
      return;
    }
    if (!feedList()) return; // the "New post" page: a normal POST, then the redirect
    event.preventDefault();
    if (pending > 0 || form.dataset.busy) return;
    form.dataset.busy = "yes";
    const button = form.querySelector(".composer-send");
    if (button) button.disabled = true;
    form.querySelectorAll("[data-fragment-error], [data-mention-warning]").forEach((e) => e.remove());
    try {
      insertCard(await sendForm(form, event.submitter), form);
      form.querySelector("textarea").value = "";
      previews.replaceChildren();
      // The next post is another post: a new key (the same one would return this post again).
      const key = form.querySelector("[data-idempotency-key]");
      if (key) key.value = newKey();
      form.querySelector("[data-composer-status]").textContent = form.dataset.posted;
      announce(form.dataset.posted);
    } catch (error) {
      if (error.status) showError(form, error);
      else keepForLater(form); // the connection dropped: the outbox sends it (same key) once it is back
    } finally {
      delete form.dataset.busy;
      if (button) button.disabled = false;
    }
  });
}

// ---- the outbox: posts written offline -------------------------------------------------------------
function composerText(item) {
  return item.fields.find(([name]) => name === "body")?.[1] || "";
}

function keepForLater(form) {
  const text = form.querySelector("textarea");
  if (!text?.value.trim() && !form.querySelector('input[name="attachment_ids"]')) return;
  outbox.queue(form);
  text.value = "";
  form.querySelector("[data-previews]")?.replaceChildren();
  const key = form.querySelector("[data-idempotency-key]");
  if (key) key.value = newKey();
  form.querySelectorAll("[data-fragment-error], [data-mention-warning]").forEach((e) => e.remove());
  showOutbox();
  form.querySelector("[data-composer-status]").textContent = form.dataset.queued;
  announce(form.dataset.queued);
}

// Every composer on the page lists this person's waiting posts.
function showOutbox() {
  const items = outbox.list();
  document.querySelectorAll("[data-outbox]").forEach((box) => {
    const list = box.querySelector("ul");
    list.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement("li");
        li.className = "outbox-item";
        const text = document.createElement("span");
        text.className = "outbox-text truncate";
        text.textContent = composerText(item);
        const state = document.createElement("span");
        state.className = "outbox-state small muted";
        state.textContent = box.dataset.willSend;
        li.append(text, state);
        return li;
      }),
    );
    box.hidden = items.length === 0;
  });
}

function sendWaiting() {
  const form = document.querySelector("[data-composer]");
  return outbox.flush((item) => request(item.url, { method: "POST", form: outbox.formData(item), fragment: true }), {
    sent(item, answer) {
      // Shown in this page's feed when it is one the post belongs in: home, or the space it went to.
      const here = form?.querySelector('input[type="hidden"][data-space-select]')?.value;
      const space = item.fields.find(([name]) => name === "space")?.[1];
      if (form && (here === undefined || here === space)) insertCard(answer.text, form);
      showOutbox();
      if (form) announce(form.dataset.posted);
    },
    refused(item, error) {
      showOutbox();
      if (!form) return;
      // Refused (the space was archived meanwhile, say): the text comes back to be kept or changed.
      const text = form.querySelector("textarea");
      if (text && !text.value.trim()) text.value = composerText(item);
      showError(form, error);
    },
  });
}

window.addEventListener("online", () => sendWaiting());
// A post kept because a request failed while the browser thought it was online: try again now and then.
setInterval(() => {
  if (outbox.list().length) sendWaiting();
}, 30000);

// ---- @ and # autocomplete ---------------------------------------------------------------------
const TOKEN = /(^|[\s(])([@#])([\p{L}\p{N}._-]{0,40})$/u;
let suggestionBox;

function knownTopics() {
  // The topics linked on this page, read from their addresses (the server's pattern, {name} cut out).
  const [prefix, suffix = ""] = urlPattern("topic").split("{name}");
  const names = new Set();
  if (!prefix) return [];
  for (const link of document.querySelectorAll("a[href]")) {
    const href = link.getAttribute("href");
    if (!href.startsWith(prefix) || !href.endsWith(suffix) || href.length <= prefix.length + suffix.length) continue;
    const name = href.slice(prefix.length, href.length - suffix.length);
    if (!name.includes("/")) names.add(decodeURIComponent(name));
  }
  return [...names];
}

function suggestionsFor(textarea) {
  let box = textarea.parentElement.querySelector("[data-suggestions]");
  if (!box) {
    suggestionBox ||= Object.assign(document.createElement("ul"), { className: "suggestions", hidden: true });
    suggestionBox.setAttribute("role", "listbox");
    box = suggestionBox;
    textarea.after(box);
  }
  if (!box.id) box.id = `suggest-${Math.random().toString(36).slice(2)}`;
  return box;
}

function setupAutocomplete(textarea) {
  if (textarea.dataset.autocompleteReady) return;
  textarea.dataset.autocompleteReady = "yes";
  textarea.setAttribute("aria-autocomplete", "list");
  let active = -1;
  let options = [];
  let token = null;
  let timer;

  const composer = textarea.closest("[data-composer]");
  const suggestUrl = composer?.dataset.suggestUrl || urlFor("mentions_suggest");

  function spaceId() {
    const select = composer?.querySelector("[data-space-select]");
    return select ? select.value : textarea.dataset.spaceId || "";
  }

  function close() {
    const box = suggestionsFor(textarea);
    box.hidden = true;
    box.replaceChildren();
    options = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function render(items) {
    const box = suggestionsFor(textarea);
    box.replaceChildren();
    options = items;
    active = items.length ? 0 : -1;
    items.forEach((item, index) => {
      const li = document.createElement("li");
      li.id = `${box.id}-${index}`;
      li.setAttribute("role", "option");
      li.className = "suggestion";
      li.setAttribute("aria-selected", index === active ? "true" : "false");
      const main = document.createElement("span");
      main.textContent = item.label;
      li.append(main);
      if (item.hint) {
        const hint = document.createElement("span");
        hint.className = "muted small";
        hint.textContent = item.hint;
        li.append(hint);
      }
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(index);
      });
      box.append(li);
    });
    box.hidden = items.length === 0;
    // aria-expanded is not allowed on a textarea (axe: critical); the listbox it controls and the active
    // option (aria-activedescendant) tell screen readers what is offered.
    textarea.setAttribute("aria-controls", box.id);
    highlight();
  }

  function highlight() {
    const box = suggestionsFor(textarea);
    [...box.children].forEach((li, index) => li.setAttribute("aria-selected", index === active ? "true" : "false"));
    if (active >= 0) textarea.setAttribute("aria-activedescendant", `${box.id}-${active}`);
  }

  function choose(index) {
    const item = options[index];
    if (!item || !token) return;
    const before = textarea.value.slice(0, token.start);
    const after = textarea.value.slice(textarea.selectionStart);
    const insert = `${token.sigil}${item.value} `;
    textarea.value = before + insert + after;
    const caret = before.length + insert.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.focus();
  }

  textarea.addEventListener("input", () => {
    const upto = textarea.value.slice(0, textarea.selectionStart);
    const match = upto.match(TOKEN);
    clearTimeout(timer);
    if (!match) {
      token = null;
      close();
      return;
    }
    const [, , sigil, query] = match;
    token = { sigil, query, start: upto.length - query.length - 1 };
    if (sigil === "#") {
      const q = query.toLowerCase();
      const topics = knownTopics()
        .filter((name) => name.startsWith(q) && name !== q)
        .slice(0, 8)
        .map((name) => ({ label: `#${name}`, value: name }));
      render(topics);
      return;
    }
    timer = setTimeout(async () => {
      const params = new URLSearchParams({ q: query });
      const space = spaceId();
      if (space) params.set("space_id", space);
      if (!suggestUrl) return;
      try {
        const people = await getJSON(`${suggestUrl}?${params}`);
        if (!token || token.query !== query) return;
        render(people.map((p) => ({ label: p.full_name, hint: `@${p.handle}`, value: p.handle })));
      } catch {
        close();
      }
    }, 150);
  });

  textarea.addEventListener("keydown", (event) => {
    if (!options.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + options.length) % options.length;
      highlight();
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (active >= 0) {
        event.preventDefault();
        choose(active);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  textarea.addEventListener("blur", () => setTimeout(close, 150));
}

// ---- fragment forms: reactions, comments ---------------------------------------------------------
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-fragment-form")) return;
  if (form.dataset.confirm && form.dataset.confirmed !== "yes") return; // app.js asks first
  event.preventDefault();
  setTimeout(() => delete form.dataset.confirmed); // after app.js's own submit handler has seen it
  if (form.dataset.busy) return;
  form.dataset.busy = "yes";
  try {
    const text = await sendForm(form, event.submitter);
    const target = form.closest(form.dataset.replace) || document.querySelector(form.dataset.replace);
    if (!target) return;
    const fragment = html(text);
    const fresh = fragment.firstElementChild;
    const slot = target.closest(".comments-slot");
    target.replaceWith(fragment);
    if (fresh) {
      enhance(fresh.parentElement || document);
      if (slot) updateCount(slot);
      const focusTarget = event.submitter && fresh.querySelector(`[name="${event.submitter.name}"][value="${event.submitter.value}"]`);
      (focusTarget || fresh.querySelector("textarea, button"))?.focus();
    }
  } catch (error) {
    showError(form, error);
  } finally {
    delete form.dataset.busy;
  }
});

function updateCount(slot) {
  const body = slot.querySelector("[data-comments-body]");
  const card = slot.closest("article.post");
  const label = card?.querySelector("[data-comment-count]");
  if (body && label) label.textContent = body.dataset.countLabel;
}

// Delete a post without leaving the page.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-delete-post")) return;
  if (form.dataset.confirmed !== "yes") return;
  event.preventDefault();
  setTimeout(() => delete form.dataset.confirmed);
  const card = form.closest("article.post");
  try {
    const text = await sendForm(form);
    if (card) card.replaceWith(html(text));
  } catch (error) {
    showError(card || form, error);
  }
});

// ---- comments expand inline ---------------------------------------------------------------------
document.addEventListener("click", async (event) => {
  const toggle = event.target.closest("[data-comments-toggle]");
  if (!toggle) return;
  event.preventDefault();
  const slot = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!slot) return;
  if (toggle.getAttribute("aria-expanded") === "true") {
    slot.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    return;
  }
  try {
    slot.replaceChildren(html(await getFragment(toggle.dataset.commentsUrl)));
  } catch {
    window.location.href = toggle.href;
    return;
  }
  slot.hidden = false;
  toggle.setAttribute("aria-expanded", "true");
  enhance(slot);
  updateCount(slot);
  slot.querySelector(".comment-form textarea:not([id^='reply-'])")?.focus();
});

// ---- share in a dialog -------------------------------------------------------------------------
document.addEventListener("click", async (event) => {
  const link = event.target.closest("[data-share]");
  if (!link || typeof HTMLDialogElement === "undefined") return;
  event.preventDefault();
  let text;
  try {
    text = await getFragment(link.href);
  } catch {
    window.location.href = link.href;
    return;
  }
  const dialog = document.createElement("dialog");
  dialog.className = "confirm share-dialog";
  dialog.append(html(text));
  document.body.append(dialog);
  const form = dialog.querySelector("form");
  const close = () => {
    dialog.close();
    dialog.remove();
    link.focus();
  };
  dialog.addEventListener("cancel", () => setTimeout(close));
  dialog.querySelector("[data-dialog-close]")?.addEventListener("click", (e) => {
    e.preventDefault();
    close();
  });
  form?.addEventListener("submit", async (e) => {
    e.preventDefault();
    let text;
    try {
      text = await sendForm(form, e.submitter);
    } catch (error) {
      showError(form, error);
      return;
    }
    if (feedList()) insertCard(text, null);
    announce(form.dataset.shared);
    close();
  });
  dialog.showModal();
  dialog.querySelector("select, textarea")?.focus();
});

// ---- infinite scroll ------------------------------------------------------------------------------
async function loadMore(holder) {
  if (holder.dataset.loading) return;
  holder.dataset.loading = "yes";
  const link = holder.querySelector("a");
  const url = new URL(link.href);
  url.searchParams.set("fragment", "1");
  try {
    const fragment = html(await getFragment(url));
    const cards = [...fragment.querySelectorAll("article.post")];
    holder.replaceWith(fragment);
    cards.forEach((card) => enhance(card));
    const next = document.querySelector("[data-feed-more]");
    if (next) watchMore(next);
  } catch {
    delete holder.dataset.loading;
  }
}

const moreObserver =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (entry.isIntersecting) {
              moreObserver.unobserve(entry.target);
              loadMore(entry.target);
            }
          }
        },
        { rootMargin: "600px 0px" },
      )
    : null;

function watchMore(holder) {
  holder.querySelector("a")?.addEventListener("click", (event) => {
    event.preventDefault();
    loadMore(holder);
  });
  moreObserver?.observe(holder);
}

// ---- reads ---------------------------------------------------------------------------------------
const seen = new Set();
const timers = new Map();

function flushReads(keepalive = false) {
  const readsUrl = urlFor("reads");
  if (!seen.size || !readsUrl) return;
  const ids = [...seen].slice(0, 200);
  ids.forEach((id) => seen.delete(id));
  postJSON(readsUrl, { post_ids: ids }, { keepalive })
    .then(() => {
      for (const id of ids) {
        const card = document.querySelector(`article.post[data-post-id="${id}"]`);
        card?.classList.add("is-read");
        card?.removeAttribute("data-unread");
      }
    })
    .catch(() => {});
}

const readObserver =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            const id = entry.target.dataset.postId;
            if (entry.isIntersecting && entry.intersectionRatio >= 0.5) {
              if (!timers.has(id))
                timers.set(
                  id,
                  setTimeout(() => {
                    timers.delete(id);
                    seen.add(Number(id));
                    readObserver.unobserve(entry.target);
                  }, 1000),
                );
            } else if (timers.has(id)) {
              clearTimeout(timers.get(id));
              timers.delete(id);
            }
          }
        },
        { threshold: [0, 0.5, 1] },
      )
    : null;

setInterval(() => flushReads(false), 4000);
window.addEventListener("pagehide", () => flushReads(true));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flushReads(true);
});

// ---- wiring --------------------------------------------------------------------------------------
function enhance(root) {
  const scope = root || document;
  const cards = scope.matches?.("article.post[data-unread]") ? [scope] : scope.querySelectorAll("article.post[data-unread]");
  cards.forEach((card) => readObserver?.observe(card));
  scope.querySelectorAll("textarea[data-autocomplete]").forEach(setupAutocomplete);
}

document.querySelectorAll("[data-composer]").forEach(setupComposer);
sendWaiting();
document.querySelectorAll("[data-feed-more]").forEach(watchMore);
enhance(document);

export { enhance, html, updateCount };

// ---- "Make a task" from the selected words ------------------------------------------------------
// Opening the post's menu collapses the selection, so it is read as the menu is pressed: the task
// is then titled with the selected words instead of the post's first line.
function rememberSelection(event) {
  const summary = event.target.closest?.(".post-menu > summary");
  if (!summary) return;
  const post = summary.closest("article.post");
  const field = post?.querySelector("[data-selection-title]");
  if (!field) return;
  const selection = window.getSelection();
  const prose = post.querySelector(".prose");
  const inside = selection && !selection.isCollapsed && prose && prose.contains(selection.anchorNode);
  field.value = inside ? selection.toString().split(/\s+/).join(" ").trim().slice(0, 200) : "";
}
document.addEventListener("pointerdown", rememberSelection, true);
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") rememberSelection(event);
}, true);
