// Alvéole's small progressive-enhancement layer. Every page works without it.
// - forms with data-confirm="…" ask before a destructive POST
// - buttons with data-copy="#input-id" copy a token or link
// - the "Me" item of the phone bottom bar opens the account menu; menus close on Escape / outside click
// - data-timezone-detect fills the profile's time zone with the device's
// - feed.js enhances the feed, live.js keeps the page up to date over the WebSocket
// - installable.js registers the service worker and shows the offline banner; feed.js queues posts
//   written offline (outbox.js) and sends them when the connection is back
// - search-suggest.js suggests people, spaces and topics in the header's search box; highlight.js marks
//   the words a search result was found by on the page it opens
// The modules form a tree, never a cycle: app → feed → (emoji-picker, request, outbox); app → live → (feed, messages,
// emoji-picker, request); app → search-suggest → request; app → highlight; app → installable. Requests (CSRF, JSON,
// errors) are request.js's alone.

import "./feed.js";
import "./live.js";
import "./search-suggest.js";
import "./highlight.js";
import "./installable.js";

const body = document.body;

// ---- confirm dialogs ------------------------------------------------------------------
let dialog;

function confirmDialog() {
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.className = "confirm";
  dialog.setAttribute("aria-labelledby", "confirm-message");
  const message = document.createElement("p");
  message.id = "confirm-message";
  const actions = document.createElement("div");
  actions.className = "actions";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button";
  cancel.value = "cancel";
  cancel.textContent = body.dataset.confirmCancel || "Cancel";
  const ok = document.createElement("button");
  ok.type = "button";
  ok.className = "button button-danger";
  ok.value = "ok";
  ok.textContent = body.dataset.confirmOk || "OK";
  cancel.addEventListener("click", () => dialog.close("cancel"));
  ok.addEventListener("click", () => dialog.close("ok"));
  actions.append(cancel, ok);
  dialog.append(message, actions);
  document.body.append(dialog);
  return dialog;
}

function askToConfirm(text, okLabel) {
  const d = confirmDialog();
  if (typeof d.showModal !== "function") return Promise.resolve(window.confirm(text));
  d.querySelector("#confirm-message").textContent = text;
  d.querySelector('button[value="ok"]').textContent = okLabel || body.dataset.confirmOk || "OK";
  d.returnValue = "";
  return new Promise((resolve) => {
    d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true });
    d.showModal();
    d.querySelector('button[value="cancel"]').focus();
  });
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (form.dataset.confirmed === "yes") return;
  event.preventDefault();
  const submitter = event.submitter;
  if (await askToConfirm(form.dataset.confirm, form.dataset.confirmOk)) {
    form.dataset.confirmed = "yes";
    form.requestSubmit(submitter || undefined);
  } else if (submitter) {
    submitter.focus();
  }
});

// ---- copy to clipboard ------------------------------------------------------------------
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = source.value ?? source.textContent;
  const label = button.querySelector("[data-copy-label]") || button;
  const original = label.textContent;
  let done = false;
  try {
    await navigator.clipboard.writeText(text);
    done = true;
  } catch {
    source.focus();
    source.select?.();
    try {
      done = document.execCommand("copy");
    } catch {
      done = false;
    }
  }
  label.textContent = done ? body.dataset.copied || "Copied" : body.dataset.copyFailed || original;
  const status = document.getElementById("copy-status");
  if (status) status.textContent = label.textContent;
  setTimeout(() => {
    label.textContent = original;
  }, 2500);
});

// Clicking a copyable field selects all of it, so it can also be copied by hand.
document.addEventListener("focusin", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) target.select();
});

// ---- menus and the phone bottom bar ----------------------------------------------------
const menus = () => document.querySelectorAll("details[data-menu][open]");

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-menu]");
  if (opener) {
    const menu = document.getElementById(opener.dataset.openMenu);
    if (menu) {
      event.preventDefault();
      menu.open = !menu.open;
      if (menu.open) menu.querySelector(".menu-panel a")?.focus();
      return;
    }
  }
  for (const menu of menus()) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of menus()) {
    menu.open = false;
    menu.querySelector("summary")?.focus();
  }
});

// ---- small page helpers -------------------------------------------------------------------
// Move focus to an error summary so screen-reader and keyboard users land on it.
const firstAlert = document.querySelector("[data-autofocus]");
if (firstAlert) firstAlert.focus();

for (const button of document.querySelectorAll("[data-timezone-detect]")) {
  const select = document.getElementById(button.dataset.timezoneDetect);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!select || !zone || ![...select.options].some((o) => o.value === zone)) continue;
  const sync = () => {
    button.hidden = select.value === zone;
  };
  sync();
  select.addEventListener("change", sync);
  button.querySelector("[data-zone]").textContent = zone.replaceAll("_", " ");
  button.addEventListener("click", () => {
    select.value = zone;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

// ---- tab strips that scroll on a phone ------------------------------------------------------
// A strip wider than the screen says so: its clipped side fades (CSS, from data-more), and the
// current tab is brought into view so "Settings" is not hidden behind the edge.
for (const strip of document.querySelectorAll(".tabs")) {
  const mark = () => {
    const left = strip.scrollLeft > 2;
    const right = strip.scrollLeft + strip.clientWidth < strip.scrollWidth - 2;
    if (left || right) strip.dataset.more = left && right ? "both" : left ? "left" : "right";
    else delete strip.dataset.more;
  };
  const current = strip.querySelector("[aria-current]");
  if (current && current.offsetLeft + current.offsetWidth > strip.clientWidth) {
    strip.scrollLeft = current.offsetLeft - strip.clientWidth / 2 + current.offsetWidth / 2;
  }
  mark();
  strip.addEventListener("scroll", mark, { passive: true });
  window.addEventListener("resize", mark);
}
