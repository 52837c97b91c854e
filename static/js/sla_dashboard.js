// The SLA compliance dashboard: two reads of the compliance API (by week, by rep), drawn with
// Chart.js. The page sets the range and team; the API does all the arithmetic.
(function () {
  "use strict";

  const root = document.getElementById("sla-dashboard");
  if (!root || typeof Chart === "undefined") return;

  const COLORS = { blue: "#2563eb", green: "#16a34a", orange: "#ea580c", grey: "#6b7280", red: "#dc2626" };
  const percent = (value) => (value === null || value === undefined ? null : Math.round(value * 1000) / 10);
  const hours = (value) => (value === null || value === undefined ? "—" : value.toFixed(2) + " h");
  const show = (value) => (value === null || value === undefined ? "—" : value + " %");

  function query(groupBy) {
    const params = new URLSearchParams({ group_by: groupBy, from: root.dataset.from, to: root.dataset.to });
    if (root.dataset.team) params.set("team", root.dataset.team);
    return fetch(root.dataset.api + "?" + params.toString(), {
      headers: { Accept: "application/json", "X-Tenant": root.dataset.tenant },
      credentials: "same-origin",
    }).then((response) => {
      if (!response.ok) throw new Error("The compliance API answered " + response.status);
      return response.json();
    });
  }

  function line(label, data, color, extra) {
    return Object.assign({ type: "line", label, data, borderColor: color, backgroundColor: color,
                           spanGaps: true, tension: 0 }, extra || {});
  }

  function targetLine(label, data) {
    return line(label, data, COLORS.grey, { borderDash: [6, 4], pointRadius: 0 });
  }

  function draw(id, config) {
    const canvas = document.getElementById(id);
    const existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
                                     plugins: { legend: { position: "bottom" } } }, config.options || {});
    return new Chart(canvas, config);
  }

  function tile(name, value, note, good) {
    const strong = root.querySelector('[data-tile="' + name + '"]');
    strong.textContent = value;
    strong.classList.remove("above", "below");
    if (good !== null && good !== undefined) strong.classList.add(good ? "above" : "below");
    root.querySelector('[data-note="' + name + '"]').textContent = note || "";
  }

  function tiles(report) {
    const sales = report.sales;
    const marketing = report.marketing;
    const targets = marketing.targets;
    tile("on_time", show(percent(sales.on_time_rate)), sales.met_on_time + " of " + (sales.met_on_time + sales.breached) + " decided", sales.on_time_rate === null ? null : sales.on_time_rate >= sales.on_time_target);
    tile("median", hours(sales.median_response_hours), "p90 " + hours(sales.p90_response_hours));
    tile("breaches", String(sales.breached), sales.met_late + " answered late");
    tile("mqls", String(marketing.mqls), targets ? "target " + Math.round(targets.mqls) : "no target", targets ? marketing.mqls >= targets.mqls : null);
    tile("sqls", String(marketing.sql_handoffs), targets ? "target " + Math.round(targets.sql_handoffs) : "no target", targets ? marketing.sql_handoffs >= targets.sql_handoffs : null);
    tile("acceptance", show(percent(marketing.acceptance_rate)), targets ? "minimum " + show(percent(targets.min_acceptance_rate)) : "no minimum",
         targets && marketing.acceptance_rate !== null ? marketing.acceptance_rate >= targets.min_acceptance_rate : null);
    const reasons = root.querySelector("[data-reasons]");
    reasons.replaceChildren();
    for (const reason of marketing.rejection_reasons) {
      const item = document.createElement("li");
      item.textContent = reason.label + ": " + reason.count;
      reasons.append(item);
    }
    if (!marketing.rejection_reasons.length) {
      const item = document.createElement("li");
      item.className = "muted";
      item.textContent = "No rejections in this range.";
      reasons.append(item);
    }
  }

  function charts(byWeek, byRep) {
    const weeks = byWeek.sales.groups;
    const labels = weeks.map((week) => week.label);
    const target = percent(byWeek.sales.on_time_target);
    draw("chart-on-time", {
      type: "line",
      data: { labels, datasets: [
        line("Met on time %", weeks.map((week) => percent(week.on_time_rate)), COLORS.blue),
        targetLine("SLA promise", weeks.map(() => target)),
      ] },
      options: { scales: { y: { min: 0, max: 100 } } },
    });
    const reps = byRep.breaches_by_rep;
    draw("chart-breaches", {
      type: "bar",
      data: { labels: reps.map((rep) => rep.label), datasets: [
        { label: "Breaches", data: reps.map((rep) => rep.breaches), backgroundColor: COLORS.red },
      ] },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    draw("chart-response", {
      type: "line",
      data: { labels, datasets: [
        line("Accept (median h)", weeks.map((week) => week.by_kind.accept.median_response_hours), COLORS.blue),
        line("First touch (median h)", weeks.map((week) => week.by_kind.first_touch.median_response_hours), COLORS.orange),
      ] },
      options: { scales: { y: { beginAtZero: true } } },
    });
    const funnel = byWeek.marketing.groups;
    const volume = [
      { type: "bar", label: "MQLs", data: funnel.map((week) => week.mqls), backgroundColor: COLORS.blue },
      { type: "bar", label: "SQL hand-offs", data: funnel.map((week) => week.sql_handoffs), backgroundColor: COLORS.green },
    ];
    if (byWeek.marketing.targets) {
      volume.push(targetLine("MQL target", funnel.map((week) => week.targets.mqls)));
      volume.push(line("SQL target", funnel.map((week) => week.targets.sql_handoffs), COLORS.green, { borderDash: [2, 3], pointRadius: 0 }));
    }
    draw("chart-volume", {
      type: "bar",
      data: { labels: funnel.map((week) => week.label), datasets: volume },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const acceptance = [line("Accepted %", funnel.map((week) => percent(week.acceptance_rate)), COLORS.green)];
    if (byWeek.marketing.targets) {
      const minimum = percent(byWeek.marketing.targets.min_acceptance_rate);
      acceptance.push(targetLine("Minimum", funnel.map(() => minimum)));
    }
    draw("chart-acceptance", {
      type: "line",
      data: { labels: funnel.map((week) => week.label), datasets: acceptance },
      options: { scales: { y: { min: 0, max: 100 } } },
    });
  }

  const status = root.querySelector("[data-status]");
  Promise.all([query("week"), query("rep")])
    .then(([byWeek, byRep]) => {
      tiles(byWeek);
      charts(byWeek, byRep);
      status.textContent = "Obligations opened from " + byWeek.from + " to " + byWeek.to + " (" + byWeek.timezone + ").";
      root.dataset.state = "ready";
    })
    .catch((error) => {
      status.textContent = error.message;
      root.dataset.state = "failed";
    });
})();
