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

export function money(price) {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(price));
}

export function clock(iso) {
  return new Date(iso).toLocaleTimeString('en-GB', { hour12: false });
}
