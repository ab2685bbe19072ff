// The marketplace's public JSON API, as any client uses it: the session is
// the cookie the server sets; errors come back as {"errors":[{message, field}]}.

export class ApiError extends Error {
  constructor(status, body) {
    const errors = (body && Array.isArray(body.errors)) ? body.errors : [{ message: `Request failed (${status})` }];
    super(errors.map((e) => e.message).join('; '));
    this.status = status;
    this.errors = errors;
    this.body = body || {};
  }
  // The message for `field`, or undefined.
  about(field) {
    const found = this.errors.find((e) => e.field === field);
    return found && found.message;
  }
}

export async function request(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { errors: [{ message: 'The marketplace cannot be reached. Check your connection.' }] });
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = null; }
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return { body: parsed, headers: response.headers };
}

export const api = {
  currentUser: async () => (await request('GET', '/api/users/currentuser')).body.currentUser,
  signUp: (email, password) => request('POST', '/api/users/signup', { email, password }),
  signIn: (email, password) => request('POST', '/api/users/signin', { email, password }),
  signOut: () => request('POST', '/api/users/signout', {}),
  tickets: (next) => request('GET', next || '/api/tickets?limit=100'),
  ticket: async (id) => (await request('GET', `/api/tickets/${encodeURIComponent(id)}`)).body,
  myTickets: async () => (await request('GET', '/api/tickets/mine')).body,
  listTicket: async (title, price) => (await request('POST', '/api/tickets', { title, price })).body,
  updateTicket: async (id, title, price, version) =>
    (await request('PUT', `/api/tickets/${encodeURIComponent(id)}`, { title, price, version })).body,
  order: async (id) => (await request('GET', `/api/orders/${encodeURIComponent(id)}`)).body,
  orders: async () => (await request('GET', '/api/orders')).body,
  placeOrder: async (ticketId, price) => (await request('POST', '/api/orders', { ticketId, price })).body,
  cancelOrder: (id) => request('DELETE', `/api/orders/${encodeURIComponent(id)}`),
  pay: async (orderId, token) => (await request('POST', '/api/payments', { token, orderId })).body,
};

// The next page's URL from a Link header, or null.
export function nextLink(headers) {
  const link = headers.get('Link');
  const match = link && link.match(/<([^>]+)>;\s*rel="next"/);
  return match ? match[1] : null;
}
