// Push handlers for the service worker, which loads this file with importScripts("/static/alveole/sw-push.js").
// A push carries JSON {title, body, url, tag, icon} (alveole/notifications/push.py): for confidential content the
// body is only "New activity in Alvéole"; the text itself is read in the app, after signing in.
/* global self, clients */

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  const title = message.title || "Alvéole";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: message.body || "",
      tag: message.tag || undefined, // a line pushed again replaces its notification instead of stacking
      icon: message.icon || undefined,
      data: { url: message.url || self.registration.scope },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only addresses of this site are opened, whatever a push says.
  const target = new URL(event.notification.data?.url || self.registration.scope, self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      // A tab already on that page comes forward; other tabs are left alone (a draft may be open there).
      for (const client of windows) {
        if (client.url === target.href && "focus" in client) return client.focus();
      }
      return clients.openWindow(target.href);
    }),
  );
});
