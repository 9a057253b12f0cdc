// Reports: draw the clicks and conversions per day from the JSON the page embeds. The table works without it.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("report-chart");
    var data = document.getElementById("report-chart-data");
    if (!canvas || !data || typeof window.Chart === "undefined") return;
    var series = JSON.parse(data.textContent);
    new window.Chart(canvas, {
      data: {
        labels: series.labels,
        datasets: [
          { type: "bar", label: "Clicks", data: series.clicks, yAxisID: "clicks", backgroundColor: "rgba(36, 87, 197, 0.35)" },
          // Straight segments (tension 0): a smoothed line would dip below zero between days and clip peaks.
          { type: "line", label: "Conversions", data: series.conversions, yAxisID: "conversions", borderColor: "#1d7a46",
            backgroundColor: "#1d7a46", tension: 0, pointRadius: 2 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          // Counts: whole numbers from zero, also on an empty chart (Chart.js would label 0 to 1.0 in tenths).
          clicks: { type: "linear", position: "left", beginAtZero: true, suggestedMax: 1, ticks: { precision: 0 },
                    title: { display: true, text: "Clicks" } },
          conversions: { type: "linear", position: "right", beginAtZero: true, suggestedMax: 1, ticks: { precision: 0 },
                         grid: { drawOnChartArea: false }, title: { display: true, text: "Conversions" } }
        }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
