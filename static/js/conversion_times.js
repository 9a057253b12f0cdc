// Time to convert: draw the histogram from the JSON the page embeds. The table below it works without this.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("time-chart");
    var data = document.getElementById("time-chart-data");
    if (!canvas || !data || typeof window.Chart === "undefined") return;
    var histogram = JSON.parse(data.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: histogram.labels,
        datasets: [{ label: "Conversions", data: histogram.counts, backgroundColor: "rgba(36, 87, 197, 0.55)",
                     categoryPercentage: 1.0, barPercentage: 0.95 }]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: "Time from click to conversion" } },
          // Counts: whole numbers from zero, also on an empty chart.
          y: { beginAtZero: true, suggestedMax: 1, ticks: { precision: 0 }, title: { display: true, text: "Conversions" } }
        }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
