/* rg-import-progress: follows a running import job (status JSON) with a
 * progress bar, and reloads the page once the job stops running. */
(() => {
  const { Controller } = window.StimulusModule;

  class ImportProgressController extends Controller {
    static targets = ['bar', 'label'];

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

  window.wagtail.app.register('rg-import-progress', ImportProgressController);
})();
