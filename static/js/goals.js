// The goals page: one bar chart per goal (actual, expected by now, target) from the
// scoreboard API, drawn with Chart.js. The API does all the arithmetic.
(function () {
  "use strict";

  const root = document.getElementById("goals-board");
  if (!root || root.dataset.state === "empty" || typeof Chart === "undefined") return;

  const STATUS_COLORS = { on_track: "#16a34a", met: "#166534", at_risk: "#ea580c", missed: "#dc2626" };
  const GREY = "#9ca3af";
  const PACE = "#2563eb";

  function scoreboard() {
    const params = new URLSearchParams({ period: root.dataset.period });
    return fetch(root.dataset.api + "?" + params.toString(), {
      headers: { Accept: "application/json", "X-Tenant": root.dataset.tenant },
      credentials: "same-origin",
    }).then((response) => {
      if (!response.ok) throw new Error("The scoreboard API answered " + response.status);
      return response.json();
    });
  }

  function draw(goal) {
    const canvas = document.getElementById("goal-chart-" + goal.id);
    if (!canvas) return;
    const rate = goal.metric === "acceptance_rate";
    const scale = (value) => (value === null ? null : rate ? Math.round(value * 1000) / 10 : value);
    const existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: ["Actual", "Expected by now", "Target"],
        datasets: [{
          label: rate ? "%" : goal.metric,
          data: [scale(goal.actual), scale(goal.expected_by_now), scale(goal.target)],
          backgroundColor: [STATUS_COLORS[goal.status] || GREY, PACE, GREY],
        }],
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { x: rate ? { min: 0, max: 100 } : { beginAtZero: true } },
      },
    });
  }

  const status = root.querySelector("[data-status]");
  scoreboard()
    .then((board) => {
      board.goals.forEach(draw);
      root.dataset.state = "ready";
    })
    .catch((error) => {
      if (status) status.textContent = error.message;
      root.dataset.state = "failed";
    });
})();
