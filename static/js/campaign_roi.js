// The campaign ROI page's charts, drawn with Chart.js from the figures the page embeds
// (the same report as the tables and the API: the page does no arithmetic of its own).
(function () {
  "use strict";

  const root = document.getElementById("campaign-roi");
  const source = document.getElementById("campaign-roi-data");
  if (!root || !source || typeof Chart === "undefined") return;

  const data = JSON.parse(source.textContent);
  const COLORS = { blue: "#2563eb", green: "#16a34a", orange: "#ea580c", grey: "#6b7280", red: "#dc2626" };
  const amount = (value) => (value === null || value === undefined ? null : Number(value));

  function draw(id, config) {
    const canvas = document.getElementById(id);
    const existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
                                     plugins: { legend: { position: "bottom" } } }, config.options || {});
    return new Chart(canvas, config);
  }

  const names = data.campaigns.map((row) => row.name);
  draw("chart-cost-revenue", {
    type: "bar",
    data: { labels: names, datasets: [
      { label: "Cost", data: data.campaigns.map((row) => amount(row.cost)), backgroundColor: COLORS.orange },
      { label: "Revenue", data: data.campaigns.map((row) => amount(row.revenue)), backgroundColor: COLORS.green },
    ] },
    options: { scales: { y: { beginAtZero: true } } },
  });
  draw("chart-roi", {
    type: "bar",
    data: { labels: names, datasets: [{
      label: "ROI %",
      data: data.campaigns.map((row) => (row.roi === null ? null : Math.round(row.roi * 1000) / 10)),
      backgroundColor: data.campaigns.map((row) => (row.roi !== null && row.roi < 0 ? COLORS.red : COLORS.blue)),
    }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } } },
  });
  const channels = data.channels.map((row) => row.label);
  const stages = [["cost_per_lead", "Per lead", COLORS.blue], ["cost_per_mql", "Per MQL", COLORS.green],
                  ["cost_per_sql", "Per SQL", COLORS.orange], ["cost_per_won", "Per won", COLORS.red]];
  draw("chart-cost-per-stage", {
    type: "bar",
    data: { labels: channels, datasets: stages.map(([key, label, color]) => ({
      label, data: data.channels.map((row) => amount(row[key])), backgroundColor: color,
    })) },
    options: { scales: { y: { beginAtZero: true } } },
  });
  root.dataset.state = "drawn";
})();
