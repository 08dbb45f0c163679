// Every request the pages make goes through here: Django's CSRF header, JSON or form bodies, the
// fragment header, and one kind of error. Imports nothing, so any module may import it.
// - request(url, {method, json, form, fragment, keepalive, signal}) → {status, data, text}; throws
//   RequestError (an aborted request throws the browser's AbortError, for callers that cancel)
// - getJSON / postJSON / getFragment / sendForm: the four shapes the pages use
// - showError(target, error): the one way an error is shown (the server's feed/_error.html, cloned)
// - urlFor(name, params): addresses come from the server (feed/_client.html, rendered with {% url %})

const FRAGMENT = { "X-Alveole-Fragment": "1" };

let config;
function clientConfig() {
  if (config === undefined) {
    try {
      config = JSON.parse(document.getElementById("alveole-client")?.textContent || "null") || {};
    } catch {
      config = {};
    }
  }
  return config;
}

export function message(name) {
  return clientConfig().messages?.[name] || "";
}

// An address by name, its {placeholders} filled: urlFor("post", {id: 3}) → "/posts/3/". Empty when the
// page has no such address (a sign-in page has none), so callers can skip what they cannot do.
export function urlFor(name, params = {}) {
  return urlPattern(name).replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(String(params[key] ?? "")));
}

export function urlPattern(name) {
  return clientConfig().urls?.[name] || "";
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}

export class RequestError extends Error {
  constructor(text, { status = 0, data = null } = {}) {
    super(text || message("failed") || "Something went wrong; try again.");
    this.status = status;
    this.data = data;
  }
}

// The sentence the server put in an error answer: JSON {"message"} from the API, or the text of
// feed/_error.html in a fragment answer. Nothing else is shown to people (no status codes).
function sentence(text, data) {
  if (data && typeof data.message === "string") return data.message;
  if (!text) return "";
  const template = document.createElement("template");
  template.innerHTML = text;
  return template.content.querySelector("[data-fragment-error]")?.textContent.trim() || "";
}

export async function request(url, { method = "GET", json, form, fragment = false, keepalive = false, signal } = {}) {
  const headers = { Accept: fragment ? "text/html" : "application/json" };
  if (fragment) Object.assign(headers, FRAGMENT);
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(url, { method, credentials: "same-origin", keepalive, headers, body, signal });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new RequestError(message("offline"));
  }
  const text = await response.text();
  let data = null;
  if (response.headers.get("Content-Type")?.includes("json") && text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new RequestError(sentence(text, data), { status: response.status, data });
  return { status: response.status, data, text };
}

export async function getJSON(url, options = {}) {
  return (await request(url, options)).data;
}

export async function postJSON(url, json = {}, options = {}) {
  return (await request(url, { method: "POST", json, ...options })).data;
}

export async function getFragment(url) {
  return (await request(url, { fragment: true })).text;
}

// A form sent as the browser would (its fields, plus the button that sent it), answered with HTML.
export async function sendForm(form, submitter) {
  const data = new FormData(form);
  if (submitter?.name) data.append(submitter.name, submitter.value);
  return (await request(form.action, { method: "POST", form: data, fragment: true })).text;
}

// The one way an error is shown: the server's alert (feed/_error.html, kept in a <template> of
// feed/_client.html) with the sentence, at the top of `target`, or inside its error slot.
export function showError(target, error) {
  if (!target) return null;
  clearError(target);
  const text = error?.message || message("failed");
  const template = document.getElementById("request-error-template");
  let alert = template?.content.firstElementChild?.cloneNode(true);
  if (!alert) {
    alert = document.createElement("p");
    alert.className = "alert alert-error";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-fragment-error", "");
  }
  (alert.querySelector("p") || alert).textContent = text;
  const slot = target.querySelector("[data-error-slot], [data-composer-error]");
  if (slot) slot.append(alert);
  else target.prepend(alert);
  return alert;
}

export function clearError(target) {
  target?.querySelectorAll("[data-fragment-error]").forEach((e) => e.remove());
}
