// "Copy" buttons: `data-copy-target` names the input whose value goes to the clipboard.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copyTarget);
      if (!input) return;
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        document.execCommand("copy"); // older browsers and non-secure origins
      }
      button.textContent = "Copied";
    });
  });
});
