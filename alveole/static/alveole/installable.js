// The installable app's page side (the worker itself is /sw.js, alveole/shell/installable.py):
// - registers the service worker, which keeps the app shell and the last feed pages for offline reading
// - the offline banner: a status message while navigator.onLine is false, "back online" briefly after
// feed.js queues posts written offline (outbox.js) and sends them on the "online" event.

const banner = document.querySelector("[data-offline-banner]");
let backOnline;

function showState() {
  if (!banner) return;
  clearTimeout(backOnline);
  if (!navigator.onLine) {
    document.documentElement.classList.add("is-offline");
    banner.textContent = banner.dataset.offline;
  } else if (document.documentElement.classList.contains("is-offline")) {
    document.documentElement.classList.remove("is-offline");
    banner.textContent = banner.dataset.online;
    backOnline = setTimeout(() => {
      banner.textContent = "";
    }, 4000);
  }
}

window.addEventListener("online", showState);
window.addEventListener("offline", showState);
showState();

const workerUrl = document.body.dataset.serviceWorker;
if (workerUrl && "serviceWorker" in navigator) {
  navigator.serviceWorker.register(workerUrl, { scope: "/", type: "classic" }).catch(() => {
    // Not installable here (a plain-HTTP address other than localhost): the site works as before.
  });
}
