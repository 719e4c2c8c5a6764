/* rg-chart: a Chart.js chart in a <canvas> (the dashboard's panels, the
 * reports screen), from data the template wrote with `json_script`:
 *
 *   <canvas data-controller="rg-chart" data-rg-chart-data-id-value="ID"></canvas>
 *   {{ chart|json_script:"ID" }}
 *
 * The data is {"type": "line"|"bar"|"funnel", "unit": "money"|"count"|
 * "percent"|"days"|"score", "labels": [...], "datasets": [{"label", "values",
 * "muted"}]}. Values are decimal strings (or null for no value); money is
 * shown as Brazilian reais. A funnel is a horizontal bar chart. Chart.js is
 * the bundled UMD build (window.Chart), loaded before this file.
 */
(() => {
  const { Controller } = window.StimulusModule;

  const formatter = (unit) => {
    if (unit === 'money') {
      return new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
    }
    if (unit === 'percent') {
      const number = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 1 });
      return { format: (value) => `${number.format(value)} %` };
    }
    return new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 1 });
  };

  class ChartController extends Controller {
    static values = { dataId: String };

    connect() {
      const source = document.getElementById(this.dataIdValue);
      if (!source || !window.Chart) return;
      const data = JSON.parse(source.textContent);
      const format = formatter(data.unit);
      const style = getComputedStyle(this.element);
      const color = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
      const text = color('--w-color-text-label', '#262626');
      const grid = color('--w-color-border-furniture', '#e0e0e0');
      const main = color('--w-color-secondary-100', '#007d7e');
      const muted = color('--w-color-grey-200', '#929292');
      const funnel = data.type === 'funnel';
      const line = data.type === 'line';
      const valueAxis = funnel ? 'x' : 'y';
      const labelAxis = funnel ? 'y' : 'x';
      this.chart = new window.Chart(this.element, {
        type: line ? 'line' : 'bar',
        data: {
          labels: data.labels,
          datasets: data.datasets.map((set) => ({
            label: set.label,
            data: set.values.map((value) => (value === null ? null : Number(value))),
            backgroundColor: set.muted ? muted : main,
            borderColor: set.muted ? muted : main,
            borderDash: set.muted && line ? [6, 4] : [],
            pointRadius: line ? 2 : undefined,
            borderRadius: line ? undefined : 2,
            spanGaps: true,
          })),
        },
        options: {
          indexAxis: funnel ? 'y' : 'x',
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: { display: data.datasets.length > 1, labels: { color: text } },
            tooltip: {
              callbacks: {
                label: (item) => `${item.dataset.label}: ${format.format(item.parsed[valueAxis])}`,
              },
            },
          },
          scales: {
            [labelAxis]: {
              ticks: { color: text, maxRotation: 0, autoSkipPadding: 8 },
              grid: { display: false },
            },
            [valueAxis]: {
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
