// The emoji picker of the reactions bar (feed/_reactions.html): a search over the whole Unicode set.
// - the list comes from the server in the page's language (feed/reactions.py, from the `emoji`
//   package), fetched on the first open and kept by the browser (its address names the version)
// - one picker body (feed/_client.html's <template>) is moved into whichever bar's picker opens
// - results are submit buttons of that bar's form (name="kind"), so a pick is the same POST as the
//   six quick reactions, which work without JavaScript
// - recent picks come first (localStorage); arrows move through the results, Escape closes
// - the panel opens on screen: above its button, or below it when the sticky top bar is in the way;
//   on a phone it is a sheet above the bottom bar (app.css)

import { getJSON, urlFor } from "./request.js";

const RECENT_KEY = "alveole.emoji.recent";
const RECENT_MAX = 24;
const CHUNK = 160; // buttons added at a time; more as the list scrolls

let loading = null;

// The list: [{emoji, name, search}] and a map by emoji. Shared with live.js for the names of counts.
export function emojiData() {
  if (!loading) {
    const url = urlFor("emoji");
    loading = url
      ? getJSON(url).then((payload) => {
          const list = payload.emoji.map(([emoji, name, search]) => ({ emoji, name, search }));
          return { list, byEmoji: new Map(list.map((item) => [item.emoji, item])) };
        })
      : Promise.reject(new Error("no emoji list on this page"));
    loading.catch(() => {
      loading = null; // try again on the next open
    });
  }
  return loading;
}

export async function emojiName(emoji) {
  try {
    return (await emojiData()).byEmoji.get(emoji)?.name || "";
  } catch {
    return "";
  }
}

function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

function recent() {
  try {
    const stored = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
    return Array.isArray(stored) ? stored.filter((e) => typeof e === "string").slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

function remember(emoji) {
  try {
    const list = [emoji, ...recent().filter((e) => e !== emoji)].slice(0, RECENT_MAX);
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    // private mode: no memory of recent picks
  }
}

// ---- the picker body ------------------------------------------------------------------------------
let body = null; // the one picker, moved from bar to bar
let rendered = null; // the search the list shows
let strings = {};
let observer = null;

function text(name, values = {}) {
  let value = strings[name] || "";
  for (const [key, v] of Object.entries(values)) value = value.replaceAll(`{${key}}`, String(v));
  return value;
}

function counted(n) {
  // The server rendered the "one" and "other" sentences; the page's language picks (French says "0 émoji").
  let form = n === 1 ? "one" : "other";
  try {
    form = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
  } catch {
    // an unknown language tag: English rules
  }
  return text(form === "one" ? "countOne" : "countOther", { n });
}

function build() {
  const template = document.getElementById("emoji-picker-template");
  const root = template?.content.firstElementChild?.cloneNode(true);
  if (!root) return null;
  strings = { ...root.dataset };
  const input = root.querySelector("[data-emoji-search]");
  const results = root.querySelector("[data-emoji-results]");
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => render(input.value), 80);
  });
  // Keys act on the list for what is typed now, even if it was typed faster than the list redraws.
  const current = async () => {
    clearTimeout(timer);
    if (rendered !== input.value) await render(input.value);
    return options()[0];
  };
  input.addEventListener("keydown", async (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      focusOption(await current());
    } else if (event.key === "Enter") {
      // The form's first button is the bar's own (Like, or "remove mine"): never send it from here.
      event.preventDefault();
      const first = await current();
      if (input.value.trim() && first) first.click();
    }
  });
  results.addEventListener("keydown", (event) => moveWithArrows(event, input));
  results.addEventListener("focusin", (event) => {
    if (event.target.matches(".emoji-option")) focusOption(event.target, false);
  });
  return root;
}

function options() {
  return [...(body?.querySelectorAll(".emoji-option") || [])];
}

function focusOption(option, move = true) {
  if (!option) return;
  for (const other of options()) other.tabIndex = other === option ? 0 : -1;
  if (move) option.focus();
}

// Arrow keys move through the grid as it is drawn: left/right one by one, up/down to the nearest
// button of the next row; up from the first row goes back to the search box.
function moveWithArrows(event, input) {
  const all = options();
  const index = all.indexOf(document.activeElement);
  if (index < 0) return;
  const here = all[index].getBoundingClientRect();
  let target;
  if (event.key === "ArrowRight") target = all[index + 1];
  else if (event.key === "ArrowLeft") target = all[index - 1];
  else if (event.key === "Home") target = all[0];
  else if (event.key === "End") target = all[all.length - 1];
  else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    const down = event.key === "ArrowDown";
    const row = (down ? all.slice(index + 1) : all.slice(0, index).reverse()).filter((o) => {
      const box = o.getBoundingClientRect();
      return down ? box.top > here.top + 2 : box.top < here.top - 2;
    });
    if (row.length) {
      const top = row[0].getBoundingClientRect().top;
      target = row
        .filter((o) => Math.abs(o.getBoundingClientRect().top - top) < 2)
        .reduce((best, o) =>
          Math.abs(o.getBoundingClientRect().left - here.left) < Math.abs(best.getBoundingClientRect().left - here.left) ? o : best,
        );
    } else if (!down) {
      event.preventDefault();
      input.focus();
      return;
    }
  } else return;
  if (target) {
    event.preventDefault();
    focusOption(target);
  }
}

function button(item) {
  const b = document.createElement("button");
  b.type = "submit";
  b.name = "kind";
  b.value = item.emoji;
  b.className = "emoji-option";
  b.tabIndex = -1;
  b.title = item.name;
  b.setAttribute("aria-label", item.name);
  b.textContent = item.emoji;
  return b;
}

function section(results, title, items) {
  if (!items.length) return;
  const id = `emoji-section-${results.children.length}`;
  const group = document.createElement("div");
  group.className = "emoji-section";
  group.setAttribute("role", "group");
  group.setAttribute("aria-labelledby", id);
  const heading = document.createElement("p");
  heading.className = "emoji-heading";
  heading.id = id;
  heading.textContent = title;
  const grid = document.createElement("div");
  grid.className = "emoji-grid";
  group.append(heading, grid);
  results.append(group);
  let shown = 0;
  const more = () => {
    grid.append(...items.slice(shown, shown + CHUNK).map(button));
    shown += CHUNK;
    if (shown < items.length && observer) observer.observe(grid.lastElementChild);
  };
  grid.more = more;
  more();
}

async function render(query) {
  if (!body) return;
  const results = body.querySelector("[data-emoji-results]");
  const status = body.querySelector("[data-emoji-status]");
  observer?.disconnect();
  observer =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (!entry.isIntersecting) continue;
              observer.unobserve(entry.target);
              entry.target.parentElement?.more?.();
            }
          },
          { root: results, rootMargin: "200px 0px" },
        )
      : null;
  let data;
  try {
    if (!results.children.length) status.textContent = text("loading");
    data = await emojiData();
  } catch {
    results.replaceChildren();
    rendered = null;
    status.textContent = text("failed");
    return;
  }
  if (body.querySelector("[data-emoji-search]").value !== query) return; // typed on meanwhile
  results.replaceChildren();
  rendered = query;
  const q = fold(query);
  if (!q) {
    const mine = recent().map((e) => data.byEmoji.get(e) || { emoji: e, name: e });
    section(results, text("recent"), mine);
    section(results, text("all"), data.list);
    status.textContent = "";
  } else {
    const words = q.split(/\s+/);
    const found = data.list.filter((item) => words.every((w) => item.search.includes(w)));
    // Names that start with the words first ("rocket" before "pocket watch"), then the rest.
    const starts = (item) => (fold(item.name).startsWith(q) ? 0 : item.search.split(" ").includes(words[0]) ? 1 : 2);
    found.sort((a, b) => starts(a) - starts(b));
    section(results, text("results"), found);
    status.textContent = found.length ? counted(found.length) : text("none", { q: query.trim() });
  }
  focusOption(options()[0], false);
}

// ---- opening, placing -----------------------------------------------------------------------------
function topbarBottom() {
  return document.querySelector(".topbar")?.getBoundingClientRect().bottom || 0;
}

function place(details) {
  const panel = details.querySelector(".picker-panel");
  if (!panel) return;
  panel.classList.remove("opens-below");
  panel.style.maxHeight = "";
  if (getComputedStyle(panel).position === "fixed") return; // the phone sheet: app.css places it
  const margin = 12;
  const opener = details.querySelector("summary").getBoundingClientRect();
  const above = opener.top - topbarBottom() - margin;
  const below = window.innerHeight - opener.bottom - margin;
  const down = panel.offsetHeight > above && below > above;
  panel.classList.toggle("opens-below", down);
  panel.style.maxHeight = `${Math.floor(down ? below : above)}px`;
}

function open(details) {
  body ||= build();
  const panel = details.querySelector(".picker-panel");
  if (!body || !panel) return;
  panel.append(body);
  const input = body.querySelector("[data-emoji-search]");
  input.value = "";
  rendered = null;
  render("");
  place(details);
  input.focus({ preventScroll: true });
}

// <details> says it opened with a "toggle" event, which does not bubble: listen while capturing.
document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target;
    if (details instanceof HTMLDetailsElement && details.matches(".react-picker") && details.open) open(details);
  },
  true,
);

window.addEventListener("resize", () => {
  const details = document.querySelector("details.react-picker[open]");
  if (details) place(details);
});

// A pick from the panel (quick or searched) is remembered; the bar's own button (Like, or removing
// mine) is not a pick.
document.addEventListener(
  "submit",
  (event) => {
    const picked = event.submitter;
    if (picked?.name === "kind" && picked.closest(".picker-panel")) remember(picked.value);
  },
  true,
);
