// The persona editor's criteria (templates/personas/form.html): a row is added in place from
// the <template> Django rendered for the formset's empty form, and "Custom field…" in a
// row's field picker shows the box for the custom key.
(function () {
  "use strict";

  function syncCustomKey(picker) {
    const key = picker.closest("td").querySelector("[data-custom-key]");
    if (!key) return;
    key.hidden = picker.value !== "custom";
    if (!key.hidden && picker === document.activeElement) key.focus();
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-field-picker]")) syncCustomKey(event.target);
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-add-criterion]");
    if (!button) return;
    const table = document.querySelector("table[data-criteria-prefix]");
    const template = document.getElementById("criterion-row-template");
    if (!table || !template) return;
    const prefix = table.dataset.criteriaPrefix;
    const total = document.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const max = document.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
    const index = Number(total.value);
    if (max && index >= Number(max.value)) {
      button.disabled = true;
      return;
    }
    const html = template.innerHTML
      .replaceAll("__prefix__", String(index))
      .replaceAll("__number__", String(index + 1));
    table.tBodies[0].insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const rows = table.tBodies[0].querySelectorAll("tr.criterion-row");
    rows[rows.length - 1].querySelector("[data-field-picker]").focus();
  });
})();
