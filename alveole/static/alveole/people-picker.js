// The people picker: type a name, choose from the list, see the chosen people as chips.
//
// It stands in front of a native <select> (multiple for task assignees, single for a new space
// member) that stays the form's field: the form posts the same names and values, the server
// validates them as before, and without this script the select is simply shown.
//
// Matching people come from the people search (`data-search-url`, /api/v1/members), which only
// answers with people the viewer may see. They are then kept to the select's options, which the
// server built with the form's own rule (who can be assigned in this space, who is not a member
// yet), so the picker never offers someone the form would refuse. If the search cannot be
// reached, the options themselves are searched.
//
// Markup: <div data-people-picker data-search-url=… data-input-label=… …> around a field whose
// <select> may carry data-name (the person's name alone, for the chip) and data-hint per option.

import { getJSON } from "./request.js";

const MAX_SHOWN = 8;
let counter = 0;

function format(template, values) {
  return (template || "").replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

// "Élodie" is found by "elodie": compare without accents or case.
function fold(text) {
  return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function initials(name) {
  const parts = (name || "").replace(/\./g, " ").split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] || "") + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase() || "?";
}

function make(tag, className, attrs = {}) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  return element;
}

function enhance(root) {
  const select = root.querySelector("select");
  if (!select || root.dataset.pickerReady) return;
  root.dataset.pickerReady = "yes";
  const texts = root.dataset;
  const multiple = select.multiple;
  const max = multiple ? Number(texts.max) || Infinity : 1;
  const id = `people-picker-${++counter}`;

  const box = make("div", "picker");
  const chips = make("ul", "picker-chips", { role: "list" });
  const input = make("input", "picker-input", {
    id: `${id}-input`,
    type: "text",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": `${id}-list`,
    "aria-label": texts.inputLabel || "",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    placeholder: texts.placeholder || "",
  });
  const describedBy = select.getAttribute("aria-describedby");
  if (describedBy) input.setAttribute("aria-describedby", describedBy);
  if (select.getAttribute("aria-invalid") === "true") input.setAttribute("aria-invalid", "true");
  const list = make("ul", "suggestions picker-suggestions", {
    id: `${id}-list`,
    role: "listbox",
    "aria-label": texts.listLabel || "",
  });
  list.hidden = true;
  const empty = make("p", "picker-empty");
  empty.hidden = true;
  const status = make("p", "visually-hidden", { role: "status", "aria-live": "polite" });
  box.append(chips, input);
  const anchor = make("div", "picker-anchor");
  anchor.append(box, list);
  select.after(anchor, empty, status);

  // The select stays in the form (it is what gets posted) but leaves the screen and the tab
  // order to the search box; its label now leads to the search box.
  select.classList.add("visually-hidden");
  select.setAttribute("aria-hidden", "true");
  select.tabIndex = -1;
  const label = select.id ? document.querySelector(`label[for="${CSS.escape(select.id)}"]`) : null;
  if (label) {
    label.addEventListener("click", (event) => {
      event.preventDefault();
      input.focus();
    });
    // The field's visible label describes the search box (its name is its own, e.g. "Add an assignee").
    label.id ||= `${id}-label`;
    input.setAttribute("aria-describedby", [label.id, describedBy].filter(Boolean).join(" "));
  }
  box.addEventListener("click", (event) => {
    if (event.target === box || event.target === chips) input.focus();
  });

  let shown = [];
  let active = -1;
  // Chips in the order people were chosen (the newest next to the search box); the select keeps its own.
  const order = [];
  let timer = 0;
  let controller = null;

  const optionFor = (value) => [...select.options].find((option) => option.value === String(value));
  const chosen = () => [...select.selectedOptions].filter((option) => option.value);
  const nameOf = (option) => option.dataset.name || option.textContent.trim();
  const available = (value) => {
    const option = optionFor(value);
    return option && option.value && !option.selected && !option.disabled;
  };

  function announce(message) {
    status.textContent = "";
    // A new node each time, so that the same words said twice are said twice.
    setTimeout(() => {
      status.textContent = message;
    }, 30);
  }

  function renderChips() {
    chips.replaceChildren();
    const rank = (option) => {
      const at = order.indexOf(option.value);
      return at === -1 ? -1 : at; // chosen elsewhere (the page as served, a test): first, in option order
    };
    const sorted = chosen()
      .map((option, index) => ({ option, index }))
      .sort((a, b) => rank(a.option) - rank(b.option) || a.index - b.index)
      .map(({ option }) => option);
    for (const option of sorted) {
      const name = nameOf(option);
      const chip = make("li", "chip", { "data-value": option.value });
      const avatar = make("span", "chip-avatar", { "aria-hidden": "true" });
      avatar.textContent = initials(name);
      const text = make("span", "chip-name");
      text.textContent = name;
      const remove = make("button", "chip-remove", { type: "button", "aria-label": format(texts.removeLabel, { name }) });
      remove.append(make("span", "", { "aria-hidden": "true" }));
      remove.firstChild.textContent = "×";
      remove.addEventListener("click", () => removeValue(option.value));
      remove.addEventListener("keydown", (event) => chipKey(event, option.value));
      chip.append(avatar, text, remove);
      chips.append(chip);
    }
    chips.hidden = chips.children.length === 0;
    box.classList.toggle("has-chips", chips.children.length > 0);
  }

  function chipButtons() {
    return [...chips.querySelectorAll(".chip-remove")];
  }

  function chipKey(event, value) {
    const buttons = chipButtons();
    const index = buttons.indexOf(event.currentTarget);
    if (event.key === "Backspace" || event.key === "Delete") {
      event.preventDefault();
      removeValue(value);
    } else if (event.key === "ArrowLeft" && index > 0) {
      event.preventDefault();
      buttons[index - 1].focus();
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      (buttons[index + 1] || input).focus();
    }
  }

  function change() {
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function removeValue(value) {
    const option = optionFor(value);
    if (!option) return;
    const index = chipButtons().findIndex((button) => button.closest(".chip").dataset.value === String(value));
    option.selected = false;
    if (!multiple) {
      const blank = [...select.options].find((o) => !o.value);
      if (blank) blank.selected = true;
    }
    change();
    announce(format(texts.removed, { name: nameOf(option) }));
    // Keep the keyboard where it was: on the next chip, else the previous one, else the search box.
    const buttons = chipButtons();
    (buttons[index] || buttons[index - 1] || input).focus();
  }

  function choose(person) {
    const option = optionFor(person.id);
    if (!option || option.disabled) return;
    if (multiple && chosen().length >= max) {
      announce(format(texts.maxReached, { n: max }));
      showEmpty(format(texts.maxReached, { n: max }));
      return;
    }
    if (!multiple) for (const other of select.options) other.selected = false;
    option.selected = true;
    order.splice(0, order.length, ...order.filter((value) => value !== option.value), option.value);
    if (person.name && !option.dataset.name) option.dataset.name = person.name;
    change();
    input.value = "";
    close();
    announce(format(texts.added, { name: nameOf(option) }));
    input.focus();
  }

  function showEmpty(message) {
    empty.textContent = message || "";
    empty.hidden = !message;
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    shown = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight() {
    [...list.children].forEach((item, index) => {
      item.setAttribute("aria-selected", index === active ? "true" : "false");
      if (index === active) item.scrollIntoView({ block: "nearest" });
    });
    if (active >= 0) input.setAttribute("aria-activedescendant", `${id}-option-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function render(people, term) {
    close();
    shown = people.slice(0, MAX_SHOWN);
    if (!shown.length) {
      const message = term ? format(texts.noMatch, { q: term }) : "";
      showEmpty(message);
      if (message) announce(message);
      return;
    }
    showEmpty("");
    shown.forEach((person, index) => {
      const item = make("li", "suggestion picker-option", { id: `${id}-option-${index}`, role: "option" });
      const avatar = make("span", "chip-avatar", { "aria-hidden": "true" });
      avatar.textContent = initials(person.name);
      const name = make("span", "picker-option-name");
      name.textContent = person.name;
      item.append(avatar, name);
      if (person.guest && texts.guest) {
        const badge = make("span", "badge");
        badge.textContent = texts.guest;
        item.append(badge);
      }
      if (person.hint) {
        const hint = make("span", "picker-option-hint");
        hint.textContent = person.hint;
        item.append(hint);
      }
      item.addEventListener("mousedown", (event) => event.preventDefault());
      item.addEventListener("click", () => choose(person));
      list.append(item);
    });
    list.hidden = false;
    active = 0;
    input.setAttribute("aria-expanded", "true");
    highlight();
    announce(format(shown.length === 1 ? texts.resultsOne : texts.resultsOther, { n: shown.length }));
  }

  // The select's own options: the fallback when the search cannot answer, and the list shown
  // when someone presses the down arrow before typing.
  function fromOptions(term) {
    const wanted = fold(term);
    return [...select.options]
      .filter((option) => available(option.value))
      .filter((option) => !wanted || fold(`${option.textContent} ${option.dataset.hint || ""}`).includes(wanted))
      .map((option) => ({ id: option.value, name: nameOf(option), hint: option.dataset.hint || "" }));
  }

  async function search(term) {
    controller?.abort();
    controller = new AbortController();
    const url = new URL(texts.searchUrl, window.location.href);
    url.searchParams.set("q", term);
    // Generous, because people the form would refuse (already chosen, already members) are dropped here.
    url.searchParams.set("limit", "100");
    try {
      const payload = await getJSON(url, { signal: controller.signal });
      const people = Array.isArray(payload) ? payload : payload.items || [];
      return people
        .filter((p) => available(p.id))
        .map((p) => ({ id: String(p.id), name: p.full_name, hint: p.title || "", guest: p.role === "guest" }));
    } catch (error) {
      if (error?.name === "AbortError") return null;
      return fromOptions(term);
    }
  }

  async function update() {
    const term = input.value.trim();
    if (!term) {
      close();
      showEmpty("");
      return;
    }
    const people = texts.searchUrl ? await search(term) : fromOptions(term);
    if (people === null || input.value.trim() !== term) return; // a newer search is on its way
    render(people, term);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });

  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && shown.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        if (input.value.trim()) update();
        else render(fromOptions(""), "");
        return;
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + shown.length) % shown.length;
      highlight();
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(shown[active]);
      } else if (input.value.trim()) {
        // Enter in a half-typed name must not send the form without that person.
        event.preventDefault();
        clearTimeout(timer);
        update();
      }
    } else if (event.key === "Escape") {
      if (open || input.value) {
        event.preventDefault();
        event.stopPropagation();
        if (open) close();
        else input.value = "";
        showEmpty("");
      }
    } else if (event.key === "Backspace" && !input.value) {
      const buttons = chipButtons();
      if (buttons.length) {
        event.preventDefault();
        buttons[buttons.length - 1].focus();
      }
    } else if (event.key === "ArrowLeft" && input.selectionStart === 0 && input.selectionEnd === 0) {
      const buttons = chipButtons();
      if (buttons.length) {
        event.preventDefault();
        buttons[buttons.length - 1].focus();
      }
    } else if (event.key === "Tab") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement !== input) close();
  }, 150));

  // Whoever changes the select (this picker, a test, another script) sees the chips follow.
  select.addEventListener("change", renderChips);
  select.form?.addEventListener("reset", () => setTimeout(renderChips));
  renderChips();
}

document.querySelectorAll("[data-people-picker]").forEach(enhance);
