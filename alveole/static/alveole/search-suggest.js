// Search as you type in the header's box: people, spaces and topics the viewer may see, from
// /api/v1/search/suggest (its address is the input's data-suggest-url, rendered by the server).
// The box stays a plain GET form: Enter without a chosen suggestion searches, and without this
// script nothing changes. A combobox with a listbox, as WAI-ARIA describes it: arrows move, Enter
// opens the chosen suggestion, Escape closes.

import { getJSON } from "./request.js";

const DELAY_MS = 150;
const MIN_LENGTH = 2;

function enhance(input) {
  const url = input.dataset.suggestUrl;
  if (!url || input.dataset.suggestReady) return;
  input.dataset.suggestReady = "yes";
  const form = input.form;
  const list = document.createElement("ul");
  list.id = `${input.id}-suggestions`;
  list.className = "search-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.suggestLabel || "");
  list.hidden = true;
  form.append(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  let timer = 0;
  let controller = null;
  let active = -1;

  function options() {
    return [...list.querySelectorAll("[role=option]")];
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", i === active ? "true" : "false"));
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function show(items) {
    list.replaceChildren();
    active = -1;
    items.forEach((item, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.url = item.url;
      option.dataset.type = item.type;
      const label = document.createElement("span");
      label.className = "search-suggestion-label";
      label.textContent = item.label;
      option.append(label);
      if (item.detail) {
        const detail = document.createElement("span");
        detail.className = "search-suggestion-detail muted";
        detail.textContent = item.detail;
        option.append(detail);
      }
      // mousedown, not click: the input's blur would close the list first.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        window.location.assign(item.url);
      });
      list.append(option);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  async function fetchSuggestions(text) {
    controller?.abort();
    controller = new AbortController();
    try {
      const separator = url.includes("?") ? "&" : "?";
      show(await getJSON(`${url}${separator}q=${encodeURIComponent(text)}`, { signal: controller.signal }));
    } catch {
      close(); // suggestions are a help: the search itself still works
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < MIN_LENGTH) {
      controller?.abort();
      close();
      return;
    }
    timer = setTimeout(() => fetchSuggestions(text), DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].dataset.url);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

document.querySelectorAll("input[data-suggest-url]").forEach(enhance);
