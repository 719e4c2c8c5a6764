/*
 * “Novo pedido” (the order desk's new-order screen), two Stimulus controllers
 * registered on Wagtail's application:
 *
 * - rg-lookup: a search input with a list of results (the product of a line,
 *   the customer). It asks the screen's JSON endpoint (?q=) and dispatches
 *   `rg-lookup:picked` with the item chosen (`exact`: a typed SKU that is
 *   exactly one of the results).
 * - rg-new-order: the form. It shows the unit price, discount and shipping
 *   fields only for channels that sell at their own prices (the channel
 *   select's `data-custom-prices`, rendered by the server), the installments
 *   only for credit card, fills the customer and address from a customer
 *   found, and keeps the running total (a preview: the server prices the
 *   order again when it is placed).
 *
 * Lines are added and removed by Wagtail's own `w-formset` controller. Texts
 * come translated from the page (`#new-order-strings`).
 */
(() => {
  const { Controller } = window.StimulusModule;

  const strings = () => {
    const element = document.getElementById('new-order-strings');
    return element ? JSON.parse(element.textContent) : {};
  };

  /** "%(name)s" placeholders, as Django's gettext strings have them. */
  const interpolate = (text, values) =>
    (text || '').replace(/%\((\w+)\)s/g, (_match, key) =>
      key in values ? String(values[key]) : '',
    );

  /**
   * An amount typed the Brazilian way ("1.234,56", "89,90", "89") in cents;
   * null when empty or not an amount. Without a comma, dots group thousands
   * only in the "1.234" shape; otherwise a dot is the decimal point.
   */
  const parseCents = (text) => {
    let value = String(text || '')
      .replace(/^\s*R\$\s*/, '')
      .trim();
    if (!value) return null;
    if (value.includes(',')) {
      value = value.replace(/\./g, '').replace(',', '.');
    } else if (/^\d{1,3}(\.\d{3})+$/.test(value)) {
      value = value.replace(/\./g, '');
    }
    if (!/^\d+(\.\d{0,2})?$/.test(value)) return null;
    const [whole, fraction = ''] = value.split('.');
    return parseInt(whole, 10) * 100 + parseInt(fraction.padEnd(2, '0'), 10);
  };

  /** Cents as "R$ 1.234,56", as the server formats amounts. */
  const formatBRL = (cents) => {
    const sign = cents < 0 ? '-' : '';
    const absolute = Math.abs(cents);
    const whole = Math.floor(absolute / 100)
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    const fraction = String(absolute % 100).padStart(2, '0');
    return `${sign}R$ ${whole},${fraction}`;
  };

  class LookupController extends Controller {
    static targets = ['input', 'results', 'status'];

    static values = {
      url: String,
      kind: String,
      delay: { type: Number, default: 200 },
      minLength: { type: Number, default: 2 },
    };

    connect() {
      this.items = [];
      this.active = -1;
    }

    disconnect() {
      window.clearTimeout(this.timer);
      if (this.request) this.request.abort();
    }

    search() {
      window.clearTimeout(this.timer);
      const query = this.inputTarget.value.trim();
      if (query.length < this.minLengthValue) {
        this.hide();
        return;
      }
      this.timer = window.setTimeout(() => this.load(query), this.delayValue);
    }

    async load(query) {
      if (this.request) this.request.abort();
      this.request = new AbortController();
      const url = new URL(this.urlValue, window.location.href);
      url.searchParams.set('q', query);
      let data;
      try {
        const response = await fetch(url, {
          headers: { Accept: 'application/json' },
          credentials: 'same-origin',
          signal: this.request.signal,
        });
        if (!response.ok) return;
        data = await response.json();
      } catch (error) {
        return; // aborted by a newer search, or offline
      }
      if (this.inputTarget.value.trim() !== query) return;
      this.show(data.results || [], query);
    }

    show(items, query) {
      const texts = strings();
      this.items = items;
      this.active = -1;
      const list = this.resultsTarget;
      list.replaceChildren();
      if (!items.length) {
        const empty = document.createElement('li');
        empty.className = 'order-lookup__empty';
        empty.setAttribute('aria-disabled', 'true');
        empty.textContent = texts.nothing_found;
        list.append(empty);
      }
      items.forEach((item, index) => {
        const option = document.createElement('li');
        option.id = `${list.id}-${index}`;
        option.className = 'order-lookup__option';
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.dataset.action = 'mousedown->rg-lookup#choose';
        option.dataset.rgLookupIndexParam = String(index);
        this.render(option, item, texts);
        list.append(option);
      });
      list.hidden = false;
      this.inputTarget.setAttribute('aria-expanded', 'true');
      if (this.kindValue === 'product') {
        const exact = items.find(
          (item) => item.sku.toLowerCase() === query.toLowerCase(),
        );
        if (exact) this.dispatch('picked', { detail: { item: exact, exact: true, kind: this.kindValue } });
      }
    }

    render(option, item, texts) {
      const title = document.createElement('span');
      title.className = 'order-lookup__title';
      const meta = document.createElement('span');
      meta.className = 'order-lookup__meta';
      if (this.kindValue === 'product') {
        title.textContent = item.variant ? `${item.name} — ${item.variant}` : item.name;
        let stock = '';
        if (item.available === null || item.available === undefined) {
          stock = texts.not_tracked;
        } else {
          stock = interpolate(texts.available, { count: item.available });
        }
        meta.textContent = [item.sku, formatBRL(item.price_cents), stock]
          .filter(Boolean)
          .join(' · ');
      } else {
        title.textContent = item.name;
        meta.textContent = [item.document, item.email, item.phone]
          .filter(Boolean)
          .join(' · ');
      }
      option.append(title, meta);
    }

    choose(event) {
      event.preventDefault(); // keep the focus in the input
      this.pick(Number(event.params.index));
    }

    pick(index) {
      const item = this.items[index];
      if (!item) return;
      this.inputTarget.value = this.kindValue === 'product' ? item.sku : '';
      this.hide();
      this.dispatch('picked', { detail: { item, exact: false, kind: this.kindValue } });
    }

    navigate(event) {
      const open = !this.resultsTarget.hidden;
      if (event.key === 'Escape' && open) {
        event.preventDefault();
        this.hide();
        return;
      }
      if (event.key === 'Enter') {
        if (!open) return;
        event.preventDefault(); // never submit the order from a search
        if (this.active >= 0) this.pick(this.active);
        else if (this.items.length === 1) this.pick(0);
        return;
      }
      if (!open || !['ArrowDown', 'ArrowUp'].includes(event.key)) return;
      event.preventDefault();
      if (!this.items.length) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.items.length) % this.items.length;
      this.resultsTarget.querySelectorAll('[role=option]').forEach((option, index) => {
        option.setAttribute('aria-selected', String(index === this.active));
      });
      this.inputTarget.setAttribute(
        'aria-activedescendant',
        `${this.resultsTarget.id}-${this.active}`,
      );
    }

    close() {
      this.hide();
    }

    hide() {
      this.resultsTarget.hidden = true;
      this.inputTarget.setAttribute('aria-expanded', 'false');
      this.inputTarget.removeAttribute('aria-activedescendant');
    }
  }

  const CUSTOMER_FIELDS = ['name', 'document', 'email', 'phone'];
  const ADDRESS_FIELDS = [
    'recipient',
    'cep',
    'street',
    'number',
    'complement',
    'district',
    'city',
    'uf',
  ];

  class NewOrderController extends Controller {
    static targets = [
      'channel',
      'payment',
      'installments',
      'subtotal',
      'discount',
      'shipping',
      'total',
      'installmentsPreview',
      'customerChosen',
      'customerId',
      'errors',
    ];

    static values = { card: String };

    connect() {
      this.texts = strings();
      this.update();
      if (this.hasErrorsTarget) this.errorsTarget.focus();
    }

    field(name) {
      return this.element.elements.namedItem(name);
    }

    get ownPrices() {
      const select = this.channelTarget.querySelector('select');
      const channels = (select.dataset.customPrices || '').split(',').filter(Boolean);
      return channels.includes(select.value);
    }

    get card() {
      return this.paymentTarget.querySelector('select').value === this.cardValue;
    }

    update(event) {
      const target = event && event.target;
      if (target && event.type === 'input' && /^lines-\d+-sku$/.test(target.name || '')) {
        this.forgetProduct(target.closest('[data-line]'));
      }
      if (target && event.type === 'input' && target.name === 'customer-document') {
        this.forgetCustomer(); // another CPF/CNPJ: another person
      }
      this.toggle();
      this.recalculate();
    }

    lineAdded(event) {
      this.update();
      const row = event.target.closest('[data-line]') || event.target;
      const input = row.querySelector('input[name$="-sku"]');
      if (input) input.focus();
    }

    /** Fields only for channels at their own prices; installments only by card. */
    toggle() {
      const own = this.ownPrices;
      this.element.querySelectorAll('[data-own-prices]').forEach((element) => {
        element.hidden = !own;
        element.querySelectorAll('input, select, textarea').forEach((input) => {
          input.disabled = !own; // not sent: the server prices the order
        });
      });
      this.element.querySelectorAll('[data-catalog-prices]').forEach((element) => {
        element.hidden = own;
      });
      const card = this.card;
      this.installmentsTarget.hidden = !card;
      if (!card) this.field('order-installments').value = '1';
    }

    amount(name) {
      const input = this.field(name);
      return input && !input.disabled ? parseCents(input.value) || 0 : 0;
    }

    recalculate() {
      const own = this.ownPrices;
      let subtotal = 0;
      let discount = 0;
      let number = 0;
      const seen = new Map(); // SKU → the number of the line that has it
      this.element.querySelectorAll('tr[data-line]').forEach((row) => {
        const deleted =
          row.hidden || (row.dataset.wFormsetTarget || '').split(' ').includes('deleted');
        if (deleted) return;
        number += 1;
        row.querySelector('[data-line-number]').textContent = String(number);
        const prefix = row.id.replace('inline_child_', '');
        const quantity = parseInt(this.field(`${prefix}-quantity`).value, 10) || 0;
        const stated = own ? parseCents(this.field(`${prefix}-unit_price`).value) : null;
        const catalog = row.dataset.price === '' ? null : parseInt(row.dataset.price, 10);
        const price = stated !== null ? stated : catalog;
        const lineDiscount = own ? this.amount(`${prefix}-discount`) : 0;
        this.showStock(row, quantity);
        const sku = this.field(`${prefix}-sku`).value.trim().toUpperCase();
        if (sku && seen.has(sku)) {
          const stock = row.querySelector('[data-line-stock]');
          stock.textContent = interpolate(this.texts.duplicate, { number: seen.get(sku) });
          stock.classList.add('order-line__stock--short');
        } else if (sku) {
          seen.set(sku, number);
        }
        const cell = row.querySelector('[data-line-total]');
        if (price === null || Number.isNaN(price)) {
          cell.textContent = '—';
          return;
        }
        const gross = price * quantity;
        cell.textContent = formatBRL(gross - lineDiscount);
        subtotal += gross;
        discount += lineDiscount;
      });
      discount += own ? this.amount('order-discount_total') : 0;
      const shipping = own ? this.amount('order-shipping_total') : 0;
      const total = subtotal - discount + shipping;
      this.subtotalTarget.textContent = formatBRL(subtotal);
      this.discountTarget.textContent = formatBRL(discount);
      this.shippingTarget.textContent = formatBRL(shipping);
      this.totalTarget.textContent = formatBRL(total);
      const installments = this.field('order-installments');
      const typed = parseInt(installments.value, 10) || 1;
      // the field's max comes from the model (MAX_INSTALLMENTS)
      const most = parseInt(installments.max, 10) || 1;
      const count = this.card ? Math.min(Math.max(typed, 1), most) : 1;
      const each = Math.floor(total / count);
      const first = total - each * (count - 1);
      this.installmentsPreviewTarget.textContent =
        first === each
          ? interpolate(this.texts.installments, { count, value: formatBRL(each) })
          : interpolate(this.texts.installments_first, {
              count,
              value: formatBRL(each),
              first: formatBRL(first),
            });
    }

    /** Units available next to the product; a warning past them. */
    showStock(row, quantity) {
      const stock = row.querySelector('[data-line-stock]');
      const available = row.dataset.available;
      if (!row.dataset.price || available === undefined || available === '') {
        stock.textContent = '';
        stock.classList.remove('order-line__stock--short');
        return;
      }
      const count = parseInt(available, 10);
      const short = quantity > count;
      stock.textContent = interpolate(short ? this.texts.short : this.texts.available, {
        count,
      });
      stock.classList.toggle('order-line__stock--short', short);
    }

    forgetProduct(row) {
      if (!row) return;
      row.dataset.price = '';
      row.dataset.available = '';
      row.querySelector('[data-line-name]').textContent = '';
      row.querySelector('[data-line-price]').textContent = '';
    }

    picked(event) {
      const { item, exact, kind } = event.detail;
      if (kind === 'product') {
        const row = event.target.closest('[data-line]');
        row.dataset.price = String(item.price_cents);
        row.dataset.available =
          item.available === null || item.available === undefined
            ? ''
            : String(item.available);
        row.querySelector('[data-line-name]').textContent = item.variant
          ? `${item.name} — ${item.variant}`
          : item.name;
        row.querySelector('[data-line-price]').textContent = formatBRL(item.price_cents);
        if (!exact) {
          const quantity = row.querySelector('input[name$="-quantity"]');
          quantity.focus();
          quantity.select();
        }
      } else if (kind === 'customer') {
        this.fillCustomer(item);
      }
      this.update();
    }

    forgetCustomer() {
      if (!this.customerIdTarget.value) return;
      this.customerIdTarget.value = '';
      this.customerChosenTarget.textContent = this.texts.new_customer;
    }

    fillCustomer(customer) {
      this.customerIdTarget.value = String(customer.id);
      CUSTOMER_FIELDS.forEach((key) => {
        this.field(`customer-${key}`).value = customer[key] || '';
      });
      const address = customer.address || { recipient: customer.name };
      ADDRESS_FIELDS.forEach((key) => {
        this.field(`shipping_address-${key}`).value = address[key] || '';
      });
      this.customerChosenTarget.textContent = interpolate(this.texts.customer_chosen, {
        name: customer.name,
      });
    }

    newCustomer() {
      this.customerIdTarget.value = '';
      CUSTOMER_FIELDS.forEach((key) => {
        this.field(`customer-${key}`).value = '';
      });
      ADDRESS_FIELDS.forEach((key) => {
        this.field(`shipping_address-${key}`).value = '';
      });
      const search = this.element.querySelector('#order-customer-search');
      if (search) search.value = '';
      this.customerChosenTarget.textContent = this.texts.new_customer;
      this.field('customer-name').focus();
    }
  }

  window.wagtail.app.register('rg-lookup', LookupController);
  window.wagtail.app.register('rg-new-order', NewOrderController);
})();
