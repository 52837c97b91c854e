// The form editor's "Copy" buttons: copy the snippet named by data-copy-target.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector("[data-copy-status]");
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copyTarget);
      if (!source) return;
      try {
        await navigator.clipboard.writeText(source.value);
      } catch (error) {
        // Without clipboard access (an insecure origin), select it for Ctrl+C instead.
        source.select();
        document.execCommand("copy");
      }
      if (status) status.textContent = "Copied.";
    });
  });
});
