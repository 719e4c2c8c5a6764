/* rg-chart: a Chart.js bar chart in a <canvas>, from data a template wrote
 * with `json_script` (see plugins/dashboard.py and the sales panel):
 *
 *   <canvas data-controller="rg-chart" data-rg-chart-data-id-value="ID"></canvas>
 *   {{ chart|json_script:"ID" }}
 *
 * The data is {"labels": [...], "values": [...], "label": "...", "money": bool}.
 * Values are decimal strings; with `money` (the default) the axis and the
 * tooltips show them as Brazilian reais. Chart.js is the bundled UMD build
 * (window.Chart), loaded before this file.
 */
(() => {
  const { Controller } = window.StimulusModule;

  class ChartController extends Controller {
    static values = { dataId: String };

    connect() {
      const source = document.getElementById(this.dataIdValue);
      if (!source || !window.Chart) return;
      const data = JSON.parse(source.textContent);
      const money = data.money !== false;
      const format = money
        ? new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' })
        : new Intl.NumberFormat('pt-BR');
      const style = getComputedStyle(this.element);
      const color = (name, fallback) =>
        style.getPropertyValue(name).trim() || fallback;
      const text = color('--w-color-text-label', '#262626');
      const grid = color('--w-color-border-furniture', '#e0e0e0');
      this.chart = new window.Chart(this.element, {
        type: 'bar',
        data: {
          labels: data.labels,
          datasets: [
            {
              label: data.label,
              data: data.values.map(Number),
              backgroundColor: color('--w-color-secondary-100', '#007d7e'),
              hoverBackgroundColor: color('--w-color-secondary', '#005b5e'),
              borderRadius: 2,
            },
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: { label: (item) => format.format(item.parsed.y) },
            },
          },
          scales: {
            x: { ticks: { color: text, maxRotation: 0, autoSkipPadding: 8 }, grid: { display: false } },
            y: {
              beginAtZero: true,
              ticks: { color: text, callback: (value) => format.format(value) },
              grid: { color: grid },
            },
          },
        },
      });
      this.element.dataset.rendered = 'true';
    }

    disconnect() {
      if (this.chart) this.chart.destroy();
      this.chart = null;
    }
  }

  window.wagtail.app.register('rg-chart', ChartController);
})();
