// Small behaviours shared by every page. Libraries come from the npm registry (see package.json).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
});

// The notification bell (templates/notifications/_bell.html) refreshes its unread count
// through htmx every `data-refresh-seconds`, without reloading the page.
document.addEventListener("DOMContentLoaded", () => {
  const bell = document.getElementById("notification-bell");
  if (!bell || !window.htmx) return;
  const seconds = Number(bell.dataset.refreshSeconds) || 20;
  setInterval(() => {
    const current = document.getElementById("notification-bell");
    if (current && !document.hidden) {
      window.htmx.ajax("GET", current.dataset.refreshUrl, { target: current, swap: "outerHTML" });
    }
  }, seconds * 1000);
});

