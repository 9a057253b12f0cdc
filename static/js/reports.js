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
          { type: "line", label: "Conversions", data: series.conversions, yAxisID: "conversions", borderColor: "#1d7a46",
            backgroundColor: "#1d7a46", tension: 0.25, pointRadius: 2 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          clicks: { type: "linear", position: "left", beginAtZero: true, title: { display: true, text: "Clicks" } },
          conversions: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                         title: { display: true, text: "Conversions" } }
        }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
