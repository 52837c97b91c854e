// The lead list (templates/leads/lead_list.html).

// "Select all" toggles the rows of the current page; delegated, so it survives htmx swaps.
document.addEventListener("change", (event) => {
  if (!event.target.matches("[data-select-all]")) return;
  document.querySelectorAll("#lead-results input[name='lead']").forEach((box) => {
    box.checked = event.target.checked;
  });
});

// Empty filters stay out of the address bar.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.verb !== "get") return;
  const data = event.detail.formData;
  if (!data) return;
  for (const key of [...new Set(data.keys())]) {
    if (data.getAll(key).every((value) => value === "")) data.delete(key);
  }
});
