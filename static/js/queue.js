// The queue's deadlines count down between the server's refreshes (every 30 s, htmx).
// Wall-clock time: the server decides the deadline in business hours; this only shows
// how far away it is now, and says "overdue" once it has passed.
(() => {
  const pad = (n) => String(n).padStart(2, "0");

  function remaining(ms) {
    const seconds = Math.floor(ms / 1000);
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    if (hours >= 48) return `${Math.floor(hours / 24)}d ${hours % 24}h left`;
    if (hours > 0) return `${hours}h ${pad(minutes)}m left`;
    return `${minutes}m ${pad(seconds % 60)}s left`;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("time.countdown[data-due]").forEach((el) => {
      const due = Date.parse(el.dataset.due);
      const warn = el.dataset.warn ? Date.parse(el.dataset.warn) : null;
      const left = due - now;
      const item = el.closest(".queue-item");
      if (left <= 0) {
        el.textContent = "overdue";
        el.classList.add("overdue");
        el.classList.remove("warning");
        if (item) item.classList.add("is-overdue");
      } else {
        el.textContent = remaining(left);
        const warning = warn !== null && now >= warn;
        el.classList.toggle("warning", warning);
        if (item) item.classList.toggle("is-warning", warning);
      }
    });
  }

  // The periodic refresh replaces the rows: not while the rep is choosing a reason or typing.
  // Asked here rather than in an hx-trigger filter, which htmx would evaluate as code (the
  // Content-Security-Policy refuses eval).
  const queueMayRefresh = () => {
    const rows = document.getElementById("queue-rows");
    if (!rows) return false;
    if (rows.contains(document.activeElement) && document.activeElement !== document.body) {
      return false;
    }
    return ![...rows.querySelectorAll("select, input[type=text]")].some((field) => field.value);
  };

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id === "queue-rows" && !queueMayRefresh()) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", () => {
    tick();
    setInterval(tick, 1000);
    document.body.addEventListener("htmx:afterSwap", tick);
  });
})();
