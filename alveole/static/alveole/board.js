// The task board (projects/board.html), on top of a page that works without it ("Move to…" forms):
// - drag a card to another column or place with a mouse, or with a finger by the card's grip (so that a
//   finger elsewhere still scrolls the board), using pointer events; Escape cancels a drag
// - the move is posted to the API (data-move-api) and undone on the page if it is refused
// - the moves of others arrive as live events (live.js dispatches "alveole:live"): the card moves in
//   place, by the column's order and counts the event carries (applying one twice changes nothing);
//   anything else about the space's tasks fetches the board again
// Strings come translated from data-* attributes of [data-board].

import { getFragment, postJSON } from "./request.js";

const board = document.querySelector("[data-board]");
const statusLine = document.querySelector("[data-board-status]");
const DRAG_FROM = 6; // pixels the pointer travels before a press becomes a drag
const EDGE = 40; // pixels from the board's edge where dragging scrolls it

function say(message) {
  if (!statusLine || !message) return;
  statusLine.textContent = "";
  setTimeout(() => {
    statusLine.textContent = message;
  }, 50);
}

function text(name, values = {}) {
  let value = board?.dataset[name] || "";
  for (const [key, v] of Object.entries(values)) value = value.replaceAll(`{${key}}`, String(v));
  return value;
}

const columnOf = (id) => board.querySelector(`[data-column="${Number(id)}"]`);
const cardOf = (id) => board.querySelector(`[data-task="${Number(id)}"]`);
const cardsIn = (column) => column.querySelector("[data-cards]");

function setCount(columnId, n) {
  const column = columnOf(columnId);
  const count = column?.querySelector("[data-count]");
  if (!count) return;
  count.textContent = String(n);
  const limit = Number(column.dataset.limit || 0);
  column.classList.toggle("is-over-limit", limit > 0 && n > limit);
}

// A card in `column`: its "Move to…" menu offers the other columns, its look says done or not.
function settle(card, column) {
  card.classList.toggle("is-done", column.dataset.status === "done");
  for (const button of card.querySelectorAll("[data-move-menu] button[name=column]")) {
    button.hidden = button.value === column.dataset.column;
  }
  const menu = card.querySelector("[data-move-menu]");
  if (menu) menu.open = false;
}

function flash(card) {
  card.classList.remove("is-arrived");
  void card.offsetWidth; // restart the animation
  card.classList.add("is-arrived");
}

// ---- dragging ---------------------------------------------------------------------------------
let drag = null;

function placeholderFor(card) {
  const placeholder = document.createElement("li");
  placeholder.className = "board-placeholder";
  placeholder.setAttribute("aria-hidden", "true");
  placeholder.style.height = `${card.offsetHeight}px`;
  return placeholder;
}

function startDrag(event) {
  const { card } = drag;
  const box = card.getBoundingClientRect();
  drag.offsetX = drag.startX - box.left;
  drag.offsetY = drag.startY - box.top;
  drag.ghost = card.cloneNode(true);
  drag.ghost.classList.add("board-ghost");
  drag.ghost.removeAttribute("data-task");
  drag.ghost.setAttribute("aria-hidden", "true");
  drag.ghost.style.width = `${box.width}px`;
  document.body.append(drag.ghost);
  drag.placeholder = placeholderFor(card);
  card.after(drag.placeholder);
  card.classList.add("is-dragging");
  drag.started = true;
  try {
    card.setPointerCapture(event.pointerId);
  } catch {
    // the pointer is gone already: pointerup or pointercancel ends the drag
  }
  moveGhost(event);
}

function moveGhost(event) {
  drag.ghost.style.left = `${event.clientX - drag.offsetX}px`;
  drag.ghost.style.top = `${event.clientY - drag.offsetY}px`;
}

function dropTarget(event) {
  const under = document.elementFromPoint(event.clientX, event.clientY);
  return under?.closest("[data-board] [data-column]") || null;
}

function placeIn(column, clientY) {
  const list = cardsIn(column);
  const before = [...list.querySelectorAll(":scope > [data-task]")].find((card) => {
    if (card === drag.card) return false;
    const box = card.getBoundingClientRect();
    return clientY < box.top + box.height / 2;
  });
  if (before) list.insertBefore(drag.placeholder, before);
  else list.append(drag.placeholder);
}

function autoScroll(event) {
  const box = board.getBoundingClientRect();
  if (event.clientX < box.left + EDGE) board.scrollLeft -= 12;
  else if (event.clientX > box.right - EDGE) board.scrollLeft += 12;
  if (event.clientY < EDGE) window.scrollBy(0, -12);
  else if (event.clientY > window.innerHeight - EDGE) window.scrollBy(0, 12);
}

function endDrag() {
  if (!drag) return;
  drag.ghost?.remove();
  drag.card.classList.remove("is-dragging");
  board.querySelectorAll(".is-drop-target").forEach((c) => c.classList.remove("is-drop-target"));
  const placeholder = drag.placeholder;
  drag = null;
  return placeholder;
}

function cancelDrag() {
  if (!drag) return;
  endDrag()?.remove(); // the card never left its place: only the placeholder moved
}

board?.addEventListener("pointerdown", (event) => {
  if (!board.dataset.moveApi || drag || event.button !== 0) return;
  const card = event.target.closest("[data-task]");
  if (!card) return;
  const onGrip = Boolean(event.target.closest("[data-grip]"));
  if (event.pointerType !== "mouse" && !onGrip) return; // a finger elsewhere scrolls the board
  if (!onGrip && event.target.closest("a, button, summary, select, input, textarea, label, details[open]")) return;
  if (onGrip) event.preventDefault();
  drag = {
    card,
    id: Number(card.dataset.task),
    pointerId: event.pointerId,
    startX: event.clientX,
    startY: event.clientY,
    started: false,
    from: card.closest("[data-column]"),
    fromNext: card.nextElementSibling,
  };
});

document.addEventListener("pointermove", (event) => {
  if (!drag || event.pointerId !== drag.pointerId) return;
  if (!drag.started) {
    if (Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) < DRAG_FROM) return;
    startDrag(event);
  }
  event.preventDefault();
  moveGhost(event);
  autoScroll(event);
  const column = dropTarget(event);
  board.querySelectorAll(".is-drop-target").forEach((c) => c !== column && c.classList.remove("is-drop-target"));
  if (column) {
    column.classList.add("is-drop-target");
    placeIn(column, event.clientY);
  }
});

document.addEventListener("pointerup", (event) => {
  if (!drag || event.pointerId !== drag.pointerId) return;
  if (!drag.started) {
    drag = null; // a click, not a drag
    return;
  }
  const { card, from, fromNext, id } = drag;
  const column = dropTarget(event) || drag.placeholder.closest("[data-column]");
  const placeholder = endDrag();
  if (!column || !placeholder?.isConnected) {
    placeholder?.remove();
    return;
  }
  placeholder.replaceWith(card);
  if (column === from && card.nextElementSibling === fromNext) return; // dropped where it was
  move(card, column, { from, fromNext, id });
});

document.addEventListener("pointercancel", (event) => {
  if (drag && event.pointerId === drag.pointerId) cancelDrag();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && drag?.started) cancelDrag();
});
// A drag must not also select text or start the browser's own image or link dragging.
board?.addEventListener("dragstart", (event) => {
  if (event.target.closest?.("[data-task]")) event.preventDefault();
});

const mine = new Set(); // moves this page made, whose live events need no announcement

async function move(card, column, { from, fromNext, id }) {
  const next = card.nextElementSibling?.closest("[data-task]");
  const body = { column_id: Number(column.dataset.column) };
  if (next) body.before_id = Number(next.dataset.task);
  settle(card, column);
  mine.add(id);
  try {
    const task = await postJSON(board.dataset.moveApi.replace("{id}", String(id)), body);
    card.dataset.position = String(task.board_position);
    say(text("moved", { title: card.dataset.title, column: column.dataset.label }));
  } catch (error) {
    mine.delete(id);
    // Refused (rights, an archived space) or offline: back where it was, and say so.
    cardsIn(from).insertBefore(card, fromNext && fromNext.parentNode === cardsIn(from) ? fromNext : null);
    settle(card, from);
    say(error?.message || text("moveFailed"));
  }
}

// ---- what others do ------------------------------------------------------------------------------
function moved(data) {
  const task = data.task || {};
  if (String(task.space_id) !== board.dataset.spaceId) return;
  for (const [columnId, n] of Object.entries(data.counts || {})) setCount(columnId, n);
  const column = columnOf(task.column_id);
  const card = cardOf(task.id);
  if (!column) return reloadBoard(); // a column this page does not show yet
  if (!card) return reloadBoard(); // a card this page does not show: the board knows if the filters want it
  if (drag?.id === task.id) cancelDrag();
  const order = (data.order || []).map(Number);
  const list = cardsIn(column);
  const after = order.slice(order.indexOf(task.id) + 1);
  const before = [...list.querySelectorAll(":scope > [data-task]")].find(
    (other) => other !== card && after.includes(Number(other.dataset.task)),
  );
  const inPlace = card.parentNode === list && card.nextElementSibling === (before || null);
  if (!inPlace) list.insertBefore(card, before || null);
  card.dataset.position = String(task.board_position);
  settle(card, column);
  if (mine.delete(task.id)) return;
  if (!inPlace) {
    flash(card);
    say(text("moved", { title: task.title, column: column.dataset.label }));
  }
}

let reloadTimer = null;
function reloadBoard() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(async () => {
    if (drag) return reloadBoard(); // after the drop
    let fresh;
    try {
      const page = document.createElement("template");
      page.innerHTML = await getFragment(window.location.pathname + window.location.search);
      fresh = page.content.querySelector("[data-board]");
    } catch {
      return; // offline: the next event or a reload tells
    }
    if (!fresh) return;
    const focused = document.activeElement?.closest("[data-task]")?.dataset.task;
    board.replaceChildren(...fresh.childNodes);
    if (focused) cardOf(focused)?.querySelector("a, summary")?.focus();
  }, 300);
}

document.addEventListener("alveole:live", (event) => {
  if (!board) return;
  const { type, data } = event.detail || {};
  if (type === "task.moved") moved(data);
  else if (type === "task.created" || type === "task.updated") {
    if (String(data.task?.space_id) === board.dataset.spaceId) reloadBoard();
  } else if (type === "task.deleted") {
    if (String(data.space_id) !== board.dataset.spaceId) return;
    cardOf(data.task_id)?.remove();
    reloadBoard();
  } else if (type === "board.changed" && String(data.space_id) === board.dataset.spaceId) {
    reloadBoard();
  }
});
