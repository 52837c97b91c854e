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

// A select marked data-submit-on-change submits its form (the tenant switcher).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
});
