// Small behaviours shared by every page. Libraries come from the npm registry (see package.json).
// Behaviour is bound here through data attributes, never inline handlers: the
// Content-Security-Policy (script-src 'self') refuses inline script of any kind.
// Delegated listeners, so content swapped in by htmx behaves the same.
document.addEventListener("click", (event) => {
  const confirming = event.target.closest("[data-confirm]");
  if (confirming && !window.confirm(confirming.dataset.confirm)) event.preventDefault();
  const selecting = event.target.closest("[data-select-on-click]");
  if (selecting) selecting.select();
});

document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit();
});

// Bars whose length is data (score contributions, rejection rates): set through the CSSOM,
// which the policy allows, instead of style="" attributes, which it refuses.
function sizeBars(root) {
  root.querySelectorAll("[data-bar-width]").forEach((bar) => {
    const share = Math.max(0, Math.min(100, Number(bar.dataset.barWidth) || 0));
    bar.style.width = `${share}%`;
  });
}
document.addEventListener("DOMContentLoaded", () => sizeBars(document));
document.addEventListener("htmx:load", (event) => sizeBars(event.detail.elt));

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


// The top bar's "Menu" button folds the navigation on narrow screens (static/css/app.css).
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  const menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;
  toggle.addEventListener("click", () => {
    const open = menu.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
});
