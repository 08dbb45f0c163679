// Push notifications on this device (the notification settings page, card #push).
// - "Turn on": asks the browser's permission (Notification.requestPermission), subscribes through the
//   service worker's push manager with the server's VAPID key (GET data-key-url), then POSTs the
//   subscription to data-subscriptions-url; "Turn off" unsubscribes and tells the server (DELETE).
// - The service worker itself is registered by the app shell; its push handlers are sw-push.js.
// Every sentence shown comes from the page (data-* attributes on #push), so it is translated there.
import { request } from "./request.js";

const card = document.getElementById("push");

function base64UrlToBytes(text) {
  const padded = (text + "=".repeat((4 - (text.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome"
    : /Safari\//.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS"
    : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return system ? `${browser} · ${system}` : browser;
}

async function registration() {
  // The shell registers the service worker; wait a little for it rather than for ever.
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 5000));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

function setup(card) {
  const status = card.querySelector("[data-push-status]");
  const on = card.querySelector("[data-push-on]");
  const off = card.querySelector("[data-push-off]");
  const say = (name) => {
    status.textContent = card.dataset[name] || "";
  };
  const show = (subscribed) => {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(subscribed ? "msgOn" : Notification.permission === "denied" ? "msgBlocked" : "msgOff");
  };

  async function current() {
    // Whether this device is subscribed now: no waiting for a service worker that may never come.
    const reg = await navigator.serviceWorker.getRegistration();
    return reg ? reg.pushManager.getSubscription() : null;
  }

  on.addEventListener("click", async () => {
    on.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        say("msgBlocked");
        return;
      }
      const reg = await registration();
      if (!reg) {
        say("msgNoWorker");
        return;
      }
      const { data } = await request(card.dataset.keyUrl);
      const subscription = await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64UrlToBytes(data.public_key),
      });
      await request(card.dataset.subscriptionsUrl, {
        method: "POST",
        json: { ...subscription.toJSON(), device: deviceLabel() },
      });
      show(true);
      off.focus();
    } catch (error) {
      status.textContent = error?.message || card.dataset.msgFailed;
    } finally {
      on.disabled = false;
    }
  });

  off.addEventListener("click", async () => {
    off.disabled = true;
    try {
      const subscription = await current();
      if (subscription) {
        await request(card.dataset.subscriptionsUrl, { method: "DELETE", json: { endpoint: subscription.endpoint } });
        await subscription.unsubscribe();
      }
      show(false);
      on.focus();
    } catch (error) {
      status.textContent = error?.message || card.dataset.msgFailed;
    } finally {
      off.disabled = false;
    }
  });

  card.querySelector("[data-push-device]").hidden = false;
  card.querySelector("[data-push-unsupported]").hidden = true;
  current().then((subscription) => show(Boolean(subscription)), () => show(false));
}

if (card && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window) {
  setup(card);
}
