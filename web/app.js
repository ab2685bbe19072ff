// The marketplace in a browser: routes on the URL's hash, one view at a
// time, and the public changes stream keeping what is shown current.

import { api, nextLink } from './api.js';
import { clock, field, h, money, redrawRows, showErrors } from './dom.js';
import { cardToken, mountCard } from './card.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let user = null;
let onChange = null;  // the current view's handler of live ticket changes
let leaving = [];     // what the current view must stop when it is left

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function show(title, ...content) {
  for (const stop of leaving) stop();
  leaving = [];
  onChange = null;
  document.title = `${title} · ticketing`;
  main.replaceChildren(h('h1', { text: title }), ...content);
}

function renderNav() {
  const link = (href, text) => h('li', {}, h('a', { href }, text));
  const items = [link('#/', 'Tickets')];
  if (user) {
    items.push(link('#/sell', 'Sell a ticket'), link('#/listings', 'My listings'), link('#/orders', 'My orders'),
      h('li', {}, h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out')));
  } else {
    items.push(link('#/signup', 'Sign up'), link('#/signin', 'Sign in'));
  }
  nav.replaceChildren(...items);
}

async function signOut() {
  await api.signOut().catch(() => {});
  user = null;
  renderNav();
  go('#/');
}

// ---- Tickets for sale ----

function ticketsView() {
  const tickets = new Map();
  let next = null;
  let loading = 0;  // which load is current: a newer search wins over an older one
  const search = field('Search', 'search', { type: 'search', autocomplete: 'off' });
  const sort = h('select', { id: 'sort' },
    h('option', { value: 'listed' }, 'Listing date'),
    h('option', { value: 'price' }, 'Price: low to high'),
    h('option', { value: '-price' }, 'Price: high to low'));
  const body = h('tbody');
  const table = h('table', {}, h('caption', { class: 'visually-hidden', text: 'Tickets for sale' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Title' }), h('th', { scope: 'col', text: 'Price' }),
      h('th', { scope: 'col', text: 'Listed' }))), body);
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(next, loading) }, 'More tickets');
  const status = h('p', { role: 'status' });
  const alert = h('p', { role: 'alert' });
  const text = () => search.querySelector('input').value.trim();
  const matches = (t) => t.status === 'available' && t.title.toLowerCase().includes(text().toLowerCase());

  // The server searches and orders (every ticket for sale, page by page);
  // live changes are placed in the same order here.
  const draw = () => {
    const order = sort.value;
    const rows = [...tickets.values()].filter(matches);
    rows.sort((a, b) => (order === 'listed' ? 0 : (order === 'price' ? a.price - b.price : b.price - a.price))
      || (a.listedAt < b.listedAt ? -1 : 1) * (order === '-price' ? -1 : 1));
    redrawRows(body, rows.map((t) => h('tr', { 'data-key': t.id },
      h('td', {}, h('a', { href: `#/tickets/${t.id}` }, t.title)),
      h('td', { text: money(t.price) }),
      h('td', { text: t.listedAt ? new Date(t.listedAt).toLocaleDateString() : '' }))));
    status.textContent = rows.length === 0 ? 'No tickets for sale match.' : `${rows.length} tickets for sale shown`;
  };
  const load = async (url, generation) => {
    try {
      const { body: page, headers } = await api.tickets(url);
      if (generation !== loading) return;
      for (const t of page) tickets.set(t.id, t);
      next = nextLink(headers);
      more.hidden = !next;
      alert.textContent = '';
      draw();
    } catch (e) {
      alert.textContent = e.message;
    }
  };
  const reload = () => {
    loading += 1;
    tickets.clear();
    const query = new URLSearchParams({ limit: '100', sort: sort.value });
    if (text()) query.set('q', text());
    load(`/api/tickets?${query}`, loading);
  };
  let typing = null;
  search.querySelector('input').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(reload, 250);
  });
  leaving.push(() => clearTimeout(typing));
  sort.addEventListener('change', reload);
  show('Tickets for sale', h('div', { class: 'controls' }, search,
    h('div', { class: 'field' }, h('label', { for: 'sort', text: 'Sort by' }), sort)), alert, status, table, more);
  onChange = async (change) => {
    const known = tickets.get(change.id);
    if (change.status === 'available' && (!known || known.status !== 'available')) {
      try { tickets.set(change.id, await api.ticket(change.id)); } catch { return; }
    } else if (known) {
      tickets.set(change.id, { ...known, ...change });
    }
    draw();
  };
  reload();
}

// ---- Signing up and in ----

function accountView(kind) {
  const signingUp = kind === 'signup';
  const title = signingUp ? 'Sign up' : 'Sign in';
  const alert = h('p', { role: 'alert' });
  const form = h('form', { novalidate: true },
    field('Email', 'email', { type: 'email', autocomplete: 'email', required: true }),
    field('Password', 'password', { type: 'password', autocomplete: signingUp ? 'new-password' : 'current-password',
      required: true }),
    alert,
    h('button', { type: 'submit' }, title));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = form.elements.email.value;
    const password = form.elements.password.value;
    try {
      await (signingUp ? api.signUp(email, password) : api.signIn(email, password));
      user = await api.currentUser();
      renderNav();
      go('#/');
    } catch (e) {
      showErrors(form, alert, e);
    }
  });
  show(title, form);
  form.elements.email.focus();
}

// ---- Selling ----

function sellView() {
  if (!user) return go('#/signin');
  const alert = h('p', { role: 'alert' });
  const form = h('form', { novalidate: true },
    field('Title', 'title', { required: true, maxlength: 200 }),
    field('Price', 'price', { type: 'number', min: '0.01', step: '0.01', inputmode: 'decimal', required: true }),
    alert,
    h('button', { type: 'submit' }, 'List ticket'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const ticket = await api.listTicket(form.elements.title.value, form.elements.price.value);
      go(`#/tickets/${ticket.id}`);
    } catch (e) {
      showErrors(form, alert, e);
    }
  });
  show('Sell a ticket', form);
}

const stateOf = (t) => {
  if (t.status === 'reserved') return t.heldUntil ? `Held until ${clock(t.heldUntil)}` : 'Held by a buyer';
  return ({ available: 'For sale', sold: 'Sold' })[t.status] || t.status;
};

async function listingsView() {
  if (!user) return go('#/signin');
  const body = h('tbody');
  const draw = (rows) => redrawRows(body, rows.map((t) => h('tr', { 'data-key': t.id },
    h('td', {}, h('a', { href: `#/tickets/${t.id}` }, t.title)),
    h('td', { text: money(t.price) }),
    h('td', { class: 'state', text: stateOf(t) }))));
  let rows = [];
  show('My listings', h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Title' }),
    h('th', { scope: 'col', text: 'Price' }), h('th', { scope: 'col', text: 'State' }))), body));
  onChange = (change) => {  // a hold's change says when it ends (heldUntil)
    const at = rows.findIndex((t) => t.id === change.id);
    if (at < 0) return;
    rows[at] = { ...rows[at], ...change };
    if (change.status && change.status !== 'reserved') delete rows[at].heldUntil;
    draw(rows);
  };
  try {
    rows = await api.myTickets();
    draw(rows);
    if (rows.length === 0) body.replaceChildren(h('tr', {}, h('td', { colspan: 3, text: 'You have listed nothing yet.' })));
  } catch (e) {
    main.append(h('p', { role: 'alert', text: e.message }));
  }
}

// ---- A ticket ----

async function ticketView(id) {
  let ticket;
  try {
    ticket = await api.ticket(id);
  } catch (e) {
    return show('Ticket not found', h('p', { role: 'alert', text: e.message }));
  }
  const price = h('p', { class: 'price' });
  const state = h('p', { class: 'state' });
  const alert = h('p', { role: 'alert' });
  const actions = h('div', { class: 'actions' });
  const heading = h('h1');
  const draw = () => {
    heading.textContent = ticket.title;
    document.title = `${ticket.title} · ticketing`;
    price.textContent = money(ticket.price);
    state.textContent = stateOf(ticket);
    actions.replaceChildren();
    const mine = user && user.id === ticket.userId;
    if (mine) actions.append(editForm());
    else if (ticket.status === 'available') actions.append(buyButton(ticket.price));
  };
  const buyButton = (shownPrice) => h('button', { type: 'button', onclick: () => buy(shownPrice) }, 'Buy');
  const buy = async (shownPrice) => {
    if (!user) return go('#/signin');
    try {
      const order = await api.placeOrder(ticket.id, shownPrice);
      go(`#/orders/${order.id}`);
    } catch (e) {
      if (e.status === 409 && e.body.currentPrice !== undefined) {
        ticket.price = e.body.currentPrice;
        draw();
        alert.textContent = `The seller changed the price to ${money(e.body.currentPrice)}. Buy at the new price?`;
      } else {
        alert.textContent = e.message;
      }
    }
  };
  const editForm = () => {
    if (ticket.status !== 'available') {
      const until = ticket.heldUntil ? ` until ${clock(ticket.heldUntil)}` : '';
      return h('p', { role: 'status', text: ticket.status === 'sold' ? 'This ticket is sold.'
        : `A buyer holds this ticket${until}: you can change it if the hold ends without a sale.` });
    }
    const formAlert = h('p', { role: 'alert' });
    const form = h('form', { novalidate: true },
      field('Title', 'title', { value: ticket.title, required: true, maxlength: 200 }),
      field('Price', 'price', { type: 'number', min: '0.01', step: '0.01', value: ticket.price, required: true }),
      formAlert, h('button', { type: 'submit' }, 'Save'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        ticket = await api.updateTicket(ticket.id, form.elements.title.value, form.elements.price.value, ticket.version);
        draw();
        alert.textContent = '';
        main.querySelector('[role=status].saved')?.remove();
        actions.append(h('p', { role: 'status', class: 'saved', text: 'Saved.' }));
      } catch (e) {
        showErrors(form, formAlert, e);
      }
    });
    return form;
  };
  show(ticket.title, price, state, alert, actions);
  main.querySelector('h1').replaceWith(heading);
  draw();
  onChange = (change) => {
    if (change.id !== ticket.id) return;
    const editing = main.querySelector('form') && ticket.status === 'available' && (change.status || 'available') === 'available';
    ticket = { ...ticket, ...change };
    if (change.status === 'available') delete ticket.orderId;
    if (editing) {  // keep what the seller is typing; show the new state
      price.textContent = money(ticket.price);
      return;
    }
    draw();
  };
}

// ---- An order ----

const orderStates = {
  created: 'Held for you', 'awaiting:payment': 'Payment in progress', complete: 'Paid: the ticket is yours',
  cancelled: 'Cancelled: the ticket was released',
};

async function orderView(id) {
  if (!user) return go('#/signin');
  let order;
  try {
    order = await api.order(id);
  } catch (e) {
    return show('Order not found', h('p', { role: 'alert', text: e.message }));
  }
  const state = h('p', { role: 'status', class: 'state' });
  const timer = h('p', { role: 'timer', 'aria-live': 'off', class: 'timer' });
  const alert = h('p', { role: 'alert' });
  const payment = h('div');
  const tick = () => {
    const left = Math.max(0, Math.floor((new Date(order.expiresAt) - Date.now()) / 1000));
    if (order.status !== 'created' && order.status !== 'awaiting:payment') {
      timer.textContent = '';
      return;
    }
    timer.textContent = `Held for ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} more (until ${clock(order.expiresAt)})`;
    if (left === 0) refresh();
  };
  const refresh = async () => {
    try {
      order = await api.order(order.id);
    } catch {
      return;
    }
    draw();
  };
  const draw = () => {
    state.textContent = order.status === 'cancelled' && Date.now() >= new Date(order.expiresAt)
      ? 'Expired: the hold ended and the ticket was released' : orderStates[order.status] || order.status;
    tick();
    if (order.status === 'created') {
      if (!payment.firstChild) payment.append(payForm());
    } else {
      payment.replaceChildren();
    }
  };
  const payForm = () => {
    const formAlert = h('p', { role: 'alert' });
    const form = h('form', { novalidate: true });
    const card = mountCard(form);
    form.append(formAlert, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Pay'),
      h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel order')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const token = await cardToken(card).catch((e) => { showErrors(form, formAlert, e); return null; });
      if (!token) return;
      form.querySelector('button[type=submit]').disabled = true;
      try {
        await api.pay(order.id, token);
        alert.textContent = '';
      } catch (e) {
        alert.textContent = e.status === 402 ? 'Your card was declined. The ticket was released.' : e.message;
      }
      await refresh();
      form.querySelector('button[type=submit]')?.removeAttribute('disabled');
    });
    return form;
  };
  const cancel = async () => {
    try {
      await api.cancelOrder(order.id);
    } catch (e) {
      alert.textContent = e.message;
    }
    await refresh();
  };
  show(`Order for ${order.ticket.title}`, h('p', { class: 'price', text: money(order.ticket.price) }), state, timer,
    alert, payment);
  draw();
  const timerId = setInterval(tick, 1000);
  leaving.push(() => clearInterval(timerId));
  onChange = (change) => {
    if (change.id === order.ticket.id && change.orderId === order.id) refresh();
  };
}

async function ordersView() {
  if (!user) return go('#/signin');
  const body = h('tbody');
  show('My orders', h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Ticket' }),
    h('th', { scope: 'col', text: 'Price' }), h('th', { scope: 'col', text: 'State' }))), body));
  try {
    const orders = await api.orders();
    body.replaceChildren(...orders.map((o) => h('tr', {},
      h('td', {}, h('a', { href: `#/orders/${o.id}` }, o.ticket.title)),
      h('td', { text: money(o.ticket.price) }),
      h('td', { text: orderStates[o.status] || o.status }))));
    if (orders.length === 0) body.replaceChildren(h('tr', {}, h('td', { colspan: 3, text: 'No orders yet.' })));
  } catch (e) {
    main.append(h('p', { role: 'alert', text: e.message }));
  }
}

// ---- Routing and the live stream ----

function route() {
  const [, view, id] = (location.hash || '#/').slice(1).split('/');
  if (view === '' || view === undefined) return ticketsView();
  if (view === 'signup' || view === 'signin') return accountView(view);
  if (view === 'sell') return sellView();
  if (view === 'listings') return listingsView();
  if (view === 'orders' && id) return orderView(decodeURIComponent(id));
  if (view === 'orders') return ordersView();
  if (view === 'tickets' && id) return ticketView(decodeURIComponent(id));
  return show('Not found', h('p', {}, h('a', { href: '#/' }, 'Back to the tickets')));
}

function listen(after = '', pause = 2000) {
  // EventSource reconnects by itself after a dropped connection, resuming
  // with the last id it received. A refusal (503: too many streams open)
  // closes it for good: it is opened again from that id after a pause that
  // doubles with each refusal in a row (up to a minute at most), so
  // refused pages do not press on a server at its bound.
  let last = after;
  let next = pause;
  const from = after ? `?after=${encodeURIComponent(after)}` : '';
  const changes = new EventSource(`/api/tickets/changes${from}`);
  const seen = (event) => { last = event.lastEventId || last; };
  changes.addEventListener('ready', (event) => {
    seen(event);
    next = 2000;  // streaming again: a later refusal starts over
  });
  changes.addEventListener('ticket', (event) => {
    seen(event);
    if (onChange) onChange(JSON.parse(event.data));
  });
  changes.addEventListener('error', () => {
    if (changes.readyState !== EventSource.CLOSED) return;  // reconnecting by itself
    // Waits between `next` and twice that: 2-4 s at first, 30-60 s at most.
    setTimeout(() => listen(last, Math.min(next * 2, 30000)), next * (1 + Math.random()));
  });
}

async function start() {
  try {
    user = await api.currentUser();
  } catch {
    user = null;
  }
  renderNav();
  window.addEventListener('hashchange', () => {
    route();
    // Keyboard and screen-reader users land on the new view, unless the
    // view put the focus somewhere in it already (a form's first field).
    if (!main.contains(document.activeElement)) main.focus();
  });
  route();
  listen();
}

start();
