/*
 * The search page's enhancements. Without this script the page is a plain GET form.
 *
 * 1. Autocomplete: the search box becomes an ARIA 1.2 combobox with a listbox popup
 *    (list autocomplete, no automatic selection). Suggestions come from
 *    /api/v1/autocomplete; choosing one goes to its page or search.
 * 2. Instant filters: ticking a filter or changing the order fetches ?partial=results and
 *    swaps the filters and results in place, keeping focus, the open filter sections and
 *    the address bar in step, and announcing the new count.
 */

const DEBOUNCE_MS = 150;
const FILTER_DEBOUNCE_MS = 250;
const MIN_LENGTH = 2;

function debounce(fn, wait) {
  let timer;
  return (...args) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), wait);
  };
}

function announce(message) {
  const status = document.getElementById('search-status');
  if (!status) return;
  // Clearing first makes screen readers repeat an identical message.
  status.textContent = '';
  window.setTimeout(() => {
    status.textContent = message;
  }, 50);
}

class Combobox {
  constructor(input, url) {
    this.input = input;
    this.url = url;
    this.options = [];
    this.active = -1;
    this.request = 0;
    this.listbox = document.createElement('ul');
    this.listbox.id = `${input.id}-listbox`;
    this.listbox.className = 'app-autocomplete__listbox';
    this.listbox.setAttribute('role', 'listbox');
    this.listbox.setAttribute('aria-label', 'Suggestions');
    this.listbox.hidden = true;
    input.parentElement.appendChild(this.listbox);

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', this.listbox.id);

    this.fetchSuggestions = debounce(this.fetchSuggestions.bind(this), DEBOUNCE_MS);
    input.addEventListener('input', () => this.fetchSuggestions());
    input.addEventListener('keydown', (event) => this.onKeydown(event));
    input.addEventListener('blur', () => window.setTimeout(() => this.close(), 150));
    this.listbox.addEventListener('mousedown', (event) => event.preventDefault());
    this.listbox.addEventListener('click', (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) this.choose(Number(option.dataset.index));
    });
  }

  async fetchSuggestions() {
    const text = this.input.value.trim();
    const request = ++this.request;
    if (text.length < MIN_LENGTH) {
      this.render([]);
      return;
    }
    try {
      const response = await fetch(`${this.url}?${new URLSearchParams({ q: text })}`, {
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`autocomplete answered ${response.status}`);
      const body = await response.json();
      if (request === this.request) this.render(body.suggestions || []);
    } catch (error) {
      if (request === this.request) this.render([]);
    }
  }

  render(suggestions) {
    this.options = suggestions;
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    this.listbox.replaceChildren(
      ...suggestions.map((suggestion, index) => {
        const option = document.createElement('li');
        option.id = `${this.listbox.id}-option-${index}`;
        option.className = 'app-autocomplete__option';
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.dataset.index = String(index);
        const label = document.createElement('span');
        label.textContent = suggestion.label;
        const type = document.createElement('span');
        type.className = 'app-autocomplete__type';
        type.textContent = `, ${suggestion.type_label}`;
        option.append(label, type);
        return option;
      }),
    );
    if (suggestions.length) {
      this.open();
      announce(
        `${suggestions.length} suggestion${suggestions.length === 1 ? '' : 's'} available. ` +
          'Use the up and down arrows to choose one.',
      );
    } else {
      this.close();
    }
  }

  open() {
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  isOpen() {
    return !this.listbox.hidden;
  }

  highlight(index) {
    const options = this.listbox.querySelectorAll('[role="option"]');
    options.forEach((option, position) => {
      const selected = position === index;
      option.setAttribute('aria-selected', selected ? 'true' : 'false');
      option.classList.toggle('app-autocomplete__option--active', selected);
    });
    this.active = index;
    if (index >= 0 && options[index]) {
      this.input.setAttribute('aria-activedescendant', options[index].id);
      options[index].scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  }

  choose(index) {
    const suggestion = this.options[index];
    if (!suggestion) return;
    this.input.value = suggestion.label;
    this.close();
    window.location.assign(suggestion.url);
  }

  onKeydown(event) {
    const count = this.options.length;
    switch (event.key) {
      case 'ArrowDown':
        if (!count) return;
        event.preventDefault();
        if (!this.isOpen()) this.open();
        this.highlight(this.active + 1 >= count ? 0 : this.active + 1);
        break;
      case 'ArrowUp':
        if (!count) return;
        event.preventDefault();
        if (!this.isOpen()) this.open();
        this.highlight(this.active <= 0 ? count - 1 : this.active - 1);
        break;
      case 'Enter':
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        break;
      case 'Escape':
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        } else {
          this.input.value = '';
        }
        break;
      case 'Tab':
        this.close();
        break;
      default:
        break;
    }
  }
}

class InstantFilters {
  constructor(form) {
    this.form = form;
    this.request = 0;
    this.update = debounce(this.update.bind(this), FILTER_DEBOUNCE_MS);
    form.addEventListener('change', (event) => {
      if (event.target.matches('#search-results-region input[type="checkbox"], #search-sort')) {
        this.update(event.target);
      }
    });
    window.addEventListener('popstate', () => window.location.reload());
  }

  query() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(this.form)) {
      if (value !== '' && !(name === 'sort' && value === 'relevance')) params.append(name, value);
    }
    return params;
  }

  async update(changed) {
    const params = this.query();
    const address = `${this.form.action}${params.toString() ? `?${params}` : ''}`;
    params.set('partial', 'results');
    const request = ++this.request;
    const region = document.getElementById('search-results-region');
    region.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(`${this.form.action}?${params}`, {
        headers: { Accept: 'text/html' },
      });
      if (!response.ok) throw new Error(`search answered ${response.status}`);
      const html = await response.text();
      if (request !== this.request) return;
      this.swap(html, changed);
      window.history.pushState({}, '', address);
    } catch (error) {
      // Whatever went wrong, the form still works the old way.
      this.form.submit();
    }
  }

  swap(html, changed) {
    const current = document.getElementById('search-results-region');
    const template = document.createElement('template');
    template.innerHTML = html.trim();
    const replacement = template.content.getElementById('search-results-region');
    if (!replacement) throw new Error('no results region in the answer');
    const open = new Set(
      [...current.querySelectorAll('details[data-facet][open]')].map((d) => d.dataset.facet),
    );
    replacement.querySelectorAll('details[data-facet]').forEach((details) => {
      if (open.has(details.dataset.facet)) details.open = true;
    });
    current.replaceWith(replacement);
    if (replacement.dataset.title) {
      document.title = document.title.replace(/^[^–]*–/, `${replacement.dataset.title} –`);
    }
    this.restoreFocus(changed);
    const total = Number(replacement.dataset.total || 0);
    announce(`${total} result${total === 1 ? '' : 's'}`);
  }

  restoreFocus(changed) {
    if (!changed) return;
    let target = null;
    if (changed.id === 'search-sort') {
      target = document.getElementById('search-sort');
    } else {
      target = [...document.querySelectorAll(`input[type="checkbox"][name="${changed.name}"]`)]
        .find((input) => input.value === changed.value);
    }
    (target || document.getElementById('search-results-heading'))?.focus();
  }
}

function init() {
  const form = document.getElementById('search-form');
  if (!form || !('fetch' in window)) return;
  const input = document.getElementById('search-query');
  if (input && form.dataset.autocompleteUrl) {
    new Combobox(input, form.dataset.autocompleteUrl);
  }
  new InstantFilters(form);
}

init();
