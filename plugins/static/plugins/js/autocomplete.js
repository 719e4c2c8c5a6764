/* rg-autocomplete: suggestions for a text input from a JSON endpoint, as a
 * WAI-ARIA combobox (see plugins/widgets.py AutocompleteInput).
 *
 * The endpoint answers {"results": [{"value", "label", "detail"}]}. Arrow keys
 * move through the suggestions, Enter or a click picks one, Escape closes the
 * list. Suggestions are built with textContent (never as HTML).
 */
(() => {
  const { Controller } = window.StimulusModule;

  class AutocompleteController extends Controller {
    static targets = ['input', 'listbox', 'status'];

    static values = {
      url: String,
      params: { type: Object, default: {} },
      minChars: { type: Number, default: 2 },
      noResults: { type: String, default: '' },
      results: { type: String, default: '' },
    };

    connect() {
      this.results = [];
      this.active = -1;
      this.timer = null;
      this.request = null;
    }

    disconnect() {
      clearTimeout(this.timer);
      if (this.request) this.request.abort();
    }

    search() {
      clearTimeout(this.timer);
      const query = this.inputTarget.value.trim();
      if (query.length < this.minCharsValue) {
        this.close();
        return;
      }
      this.timer = setTimeout(() => this.fetch(query), 150);
    }

    async fetch(query) {
      if (this.request) this.request.abort();
      this.request = new AbortController();
      const url = new URL(this.urlValue, window.location.href);
      url.searchParams.set('q', query);
      Object.entries(this.paramsValue).forEach(([name, elementId]) => {
        const element = document.getElementById(elementId);
        if (element && element.value) url.searchParams.set(name, element.value);
      });
      let data;
      try {
        const response = await fetch(url, {
          headers: { Accept: 'application/json' },
          signal: this.request.signal,
          credentials: 'same-origin',
        });
        if (!response.ok) return;
        data = await response.json();
      } catch (error) {
        return; // aborted by a newer query, or offline: keep what was typed
      }
      this.show(data.results || []);
    }

    show(results) {
      this.results = results;
      this.active = -1;
      const listbox = this.listboxTarget;
      listbox.replaceChildren();
      results.forEach((result, index) => {
        const option = document.createElement('li');
        option.id = `${listbox.id}-${index}`;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.className = 'rg-autocomplete__option';
        option.dataset.index = String(index);
        const label = document.createElement('span');
        label.className = 'rg-autocomplete__label';
        label.textContent = result.label;
        option.append(label);
        if (result.detail) {
          const detail = document.createElement('span');
          detail.className = 'rg-autocomplete__detail';
          detail.textContent = result.detail;
          option.append(detail);
        }
        // mousedown, not click: it comes before the input's blur
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          this.pick(index);
        });
        listbox.append(option);
      });
      listbox.hidden = false;
      this.inputTarget.setAttribute('aria-expanded', 'true');
      this.inputTarget.removeAttribute('aria-activedescendant');
      this.statusTarget.textContent = results.length
        ? this.resultsValue.replace('%(count)s', results.length)
        : this.noResultsValue;
      if (!results.length) {
        const empty = document.createElement('li');
        empty.className = 'rg-autocomplete__empty';
        empty.textContent = this.noResultsValue;
        listbox.append(empty);
      }
    }

    navigate(event) {
      const open = !this.listboxTarget.hidden && this.results.length;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        if (!open) {
          this.search();
          return;
        }
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        const count = this.results.length;
        this.highlight((this.active + step + count) % count);
      } else if (event.key === 'Enter' && open && this.active >= 0) {
        event.preventDefault(); // pick, do not submit the form
        this.pick(this.active);
      } else if (event.key === 'Escape' && !this.listboxTarget.hidden) {
        event.preventDefault();
        this.close();
      } else if (event.key === 'Tab' && open && this.active >= 0) {
        this.pick(this.active);
      }
    }

    highlight(index) {
      this.active = index;
      this.listboxTarget
        .querySelectorAll('[role=option]')
        .forEach((option, position) => {
          const selected = position === index;
          option.setAttribute('aria-selected', String(selected));
          option.classList.toggle('rg-autocomplete__option--active', selected);
          if (selected) {
            this.inputTarget.setAttribute('aria-activedescendant', option.id);
            option.scrollIntoView({ block: 'nearest' });
          }
        });
    }

    pick(index) {
      const result = this.results[index];
      if (!result) return;
      this.inputTarget.value = result.value;
      this.statusTarget.textContent = result.label;
      this.close();
      this.inputTarget.dispatchEvent(new Event('change', { bubbles: true }));
    }

    closeSoon() {
      setTimeout(() => this.close(), 150);
    }

    close() {
      this.results = [];
      this.active = -1;
      this.listboxTarget.hidden = true;
      this.listboxTarget.replaceChildren();
      this.inputTarget.setAttribute('aria-expanded', 'false');
      this.inputTarget.removeAttribute('aria-activedescendant');
    }
  }

  window.wagtail.app.register('rg-autocomplete', AutocompleteController);
})();
