// Taking a card. With a Stripe publishable key, Stripe.js card fields (the
// number never touches this page); without one (the sandbox gateway), a
// card number field that takes Stripe's test cards and sends their tokens.

import { field } from './dom.js';

const stripeKey = document.querySelector('meta[name="stripe-key"]')?.content || '';
const testTokens = { '4242424242424242': 'tok_visa', '4000000000000002': 'tok_chargeDeclined' };

let stripe = null;
function loadStripe() {
  if (stripe) return Promise.resolve(stripe);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'https://js.stripe.com/v3/';
    script.onload = () => resolve((stripe = window.Stripe(stripeKey)));
    script.onerror = () => reject(new Error('Stripe could not be loaded'));
    document.head.append(script);
  });
}

// Adds the card input to `form`; returns what cardToken() needs.
export function mountCard(form) {
  if (!stripeKey) {
    const input = field('Card number', 'card', { inputmode: 'numeric', autocomplete: 'cc-number', required: true });
    form.append(input, Object.assign(document.createElement('p'), {
      className: 'hint', textContent: 'Test cards: 4242 4242 4242 4242 is paid, 4000 0000 0000 0002 is declined.',
    }));
    return { input: input.querySelector('input') };
  }
  const box = field('Card number', 'card');
  const slot = document.createElement('div');
  slot.className = 'stripe-card';
  box.querySelector('input').replaceWith(slot);
  form.append(box);
  const mounted = loadStripe().then((s) => {
    const card = s.elements().create('card');
    card.mount(slot);
    return card;
  });
  return { mounted };
}

// The payment token for the card entered; rejects with a field error.
export async function cardToken(card) {
  const fail = (message) => Object.assign(new Error(message), { errors: [{ message, field: 'card' }] });
  if (card.input) {
    const digits = card.input.value.replace(/[\s-]/g, '');
    const token = testTokens[digits];
    if (!token) throw fail('Use a test card: 4242 4242 4242 4242 or 4000 0000 0000 0002');
    return token;
  }
  const element = await card.mounted;
  const result = await stripe.createToken(element);
  if (result.error) throw fail(result.error.message);
  return result.token.id;
}
