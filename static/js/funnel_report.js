// The funnel page's three charts, drawn with Chart.js from the figures the page rendered
// (the same report the API answers): the funnel, the time in each stage, and the weeks.
(function () {
  "use strict";

  const source = document.getElementById("funnel-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const BAND = { tofu: "#2563eb", mofu: "#16a34a", bofu: "#ea580c" };
  const labels = data.stages.map((stage) => stage.label);

  function draw(id, config) {
    const canvas = document.getElementById(id);
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
                                     plugins: { legend: { position: "bottom" } } }, config.options || {});
    return new Chart(canvas, config);
  }

  draw("chart-funnel", {
    type: "bar",
    data: { labels, datasets: [{ label: "Count", data: data.stages.map((stage) => stage.count),
                                 backgroundColor: data.stages.map((stage) => BAND[stage.band]) }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } },
               scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });

  const timed = data.stages.slice(0, -1);  // won is the end: no time before a next stage
  draw("chart-velocity", {
    type: "bar",
    data: { labels: timed.map((stage) => stage.label), datasets: [
      { label: "Median hours", data: timed.map((stage) => stage.median_hours), backgroundColor: "#2563eb" },
      { label: "p90 hours", data: timed.map((stage) => stage.p90_hours), backgroundColor: "#93c5fd" },
    ] },
    options: { scales: { y: { beginAtZero: true } } },
  });

  draw("chart-weeks", {
    type: "line",
    data: { labels: data.weeks.map((week) => week.week), datasets: [
      { label: "New leads", data: data.weeks.map((week) => week.leads), borderColor: "#6b7280", backgroundColor: "#6b7280" },
      { label: "MQLs", data: data.weeks.map((week) => week.mqls), borderColor: "#2563eb", backgroundColor: "#2563eb" },
      { label: "SQL hand-offs", data: data.weeks.map((week) => week.sql_handoffs), borderColor: "#16a34a", backgroundColor: "#16a34a" },
    ] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  document.getElementById("funnel-report").dataset.state = "drawn";
})();
