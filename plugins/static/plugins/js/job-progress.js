/* rg-job-progress: follows a background job (an import, a bulk NF-e issue)
 * through its status JSON — a progress bar, its label and any counters
 * (elements with data-count="<key of the JSON>") — and reloads the page once
 * the job stops running. */
(() => {
  const { Controller } = window.StimulusModule;

  class JobProgressController extends Controller {
    static targets = ['bar', 'label', 'count'];

    static values = { url: String, interval: { type: Number, default: 1000 } };

    connect() {
      this.timer = setTimeout(() => this.poll(), this.intervalValue);
    }

    disconnect() {
      clearTimeout(this.timer);
    }

    poll() {
      fetch(this.urlValue, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then((response) => response.json())
        .then((data) => {
          this.barTarget.value = data.progress;
          this.labelTarget.textContent = `${data.status_display} — ${data.progress}%`;
          this.countTargets.forEach((cell) => {
            const value = data[cell.dataset.count];
            if (value !== undefined) cell.textContent = value;
          });
          if (data.running) {
            this.timer = setTimeout(() => this.poll(), this.intervalValue);
          } else {
            window.location.reload();
          }
        })
        .catch(() => {
          this.timer = setTimeout(() => this.poll(), this.intervalValue * 3);
        });
    }
  }

  window.wagtail.app.register('rg-job-progress', JobProgressController);
})();
