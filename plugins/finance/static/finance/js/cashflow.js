/* rg-cashflow-chart: the cash-flow chart, drawn by Chart.js (the bundled UMD
 * build, window.Chart) from the data the page carries with `json_script`:
 *
 *   <canvas data-controller="rg-cashflow-chart"
 *           data-rg-cashflow-chart-data-id-value="ID"></canvas>
 *   {{ chart|json_script:"ID" }}
 *
 * The data: {"labels": [...], "kinds": [...], "realised_in": [...],
 * "realised_out": [...], "projected_in": [...], "projected_out": [...],
 * "balance": [...], "names": {series: name}}; amounts are decimal strings.
 * Bars: inflows up, outflows down, realised solid, projected pale; the line
 * is the balance. Amounts show as Brazilian reais.
 */
(() => {
  const { Controller } = window.StimulusModule;

  class CashFlowChartController extends Controller {
    static values = { dataId: String };

    connect() {
      const source = document.getElementById(this.dataIdValue);
      if (!source || !window.Chart) return;
      const data = JSON.parse(source.textContent);
      const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
      const style = getComputedStyle(this.element);
      const color = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
      const text = color('--w-color-text-label', '#262626');
      const grid = color('--w-color-border-furniture', '#e0e0e0');
      const numbers = (name, sign = 1) => data[name].map((value) => sign * Number(value));
      const bar = (name, sign, background, stack) => ({
        type: 'bar',
        label: data.names[name],
        data: numbers(name, sign),
        backgroundColor: background,
        stack,
        order: 2,
      });
      this.chart = new window.Chart(this.element, {
        data: {
          labels: data.labels,
          datasets: [
            bar('realised_in', 1, '#1d7a3a', 'in'),
            bar('projected_in', 1, 'rgba(29, 122, 58, 0.35)', 'in'),
            bar('realised_out', -1, '#b3261e', 'out'),
            bar('projected_out', -1, 'rgba(179, 38, 30, 0.35)', 'out'),
            {
              type: 'line',
              label: data.names.balance,
              data: numbers('balance'),
              borderColor: color('--w-color-secondary', '#005b5e'),
              backgroundColor: color('--w-color-secondary', '#005b5e'),
              stack: 'balance',
              pointRadius: 2,
              tension: 0.2,
              order: 1,
              segment: {
                // projected from today on: dashed
                borderDash: (ctx) => (data.kinds[ctx.p1DataIndex] === 'realised' ? undefined : [6, 4]),
              },
            },
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: 'index', intersect: false },
          plugins: {
            tooltip: {
              callbacks: {
                // outflows are drawn downwards but read as amounts
                label: (item) => {
                  const value = item.dataset.type === 'line' ? item.parsed.y : Math.abs(item.parsed.y);
                  return `${item.dataset.label}: ${brl.format(value)}`;
                },
              },
            },
            legend: { labels: { color: text } },
          },
          scales: {
            x: { stacked: true, ticks: { color: text, maxRotation: 0, autoSkipPadding: 8 }, grid: { display: false } },
            y: {
              stacked: true,
              ticks: { color: text, callback: (value) => brl.format(value) },
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

  window.wagtail.app.register('rg-cashflow-chart', CashFlowChartController);
})();
