// Building the page without HTML strings, so a ticket's title is always text.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// A labelled input; the error element after it is filled by showErrors().
export function field(label, name, attributes = {}) {
  const id = `field-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    h('input', { id, name, 'aria-describedby': `${id}-error`, ...attributes }),
    h('p', { id: `${id}-error`, class: 'field-error', role: 'alert' }));
}

// Shows an API error next to the fields it names, and the rest in `alert`.
export function showErrors(form, alert, error) {
  for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
  const general = [];
  for (const e of error.errors || [{ message: error.message }]) {
    const slot = e.field && form.querySelector(`#field-${e.field}-error`);
    if (slot) {
      slot.textContent = e.message;
      form.querySelector(`#field-${e.field}`).setAttribute('aria-invalid', 'true');
    } else {
      general.push(e.message);
    }
  }
  alert.textContent = general.join(' ');
}

// Replaces a table body's rows, each keyed by its data-key. A list that
// changes live must not take a keyboard user's place away: if the focus was
// in a row, it moves to the same row's link in the new rows, or, when that
// row is gone, to the row now at its place (else the last row).
export function redrawRows(body, rows) {
  const focused = body.contains(document.activeElement) ? document.activeElement.closest('tr') : null;
  const key = focused ? focused.dataset.key : undefined;
  const index = focused ? [...body.children].indexOf(focused) : -1;
  body.replaceChildren(...rows);
  if (!focused || rows.length === 0) return;
  const same = rows.find((row) => row.dataset.key === key);
  const target = (same || rows[Math.min(index, rows.length - 1)]).querySelector('a, button');
  if (target) target.focus();
}

export function money(price) {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(price));
}

export function clock(iso) {
  return new Date(iso).toLocaleTimeString('en-GB', { hour12: false });
}
