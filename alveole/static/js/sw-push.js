// Web Push's handlers for the service worker (/sw.js imports this file). A placeholder: the push
// feature fills it in (its "push" and "notificationclick" listeners).
