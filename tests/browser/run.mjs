// The web app in a real browser: Debian's Chromium driven by playwright-core,
// against the real server (a fresh data directory, a 6-second hold so that
// expiry is seen quickly). Sellers and buyers are separate browser contexts
// (separate cookies). Every step waits for what a person would see, by the
// accessible names the web app promises (README, "The web app").
//
// Usage: node run.mjs [path/to/ticketing]   (default: build/dev/app/ticketing)
// Screenshots of the main pages go to build/browser-screenshots/.

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = process.argv[2] || path.join(root, 'build/dev/app/ticketing');
const shots = path.join(root, 'build/browser-screenshots');
const wait = { timeout: 15000 };

let failures = 0;
async function test(name, body) {
  const started = Date.now();
  try {
    await body();
    console.log(`ok    ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL  ${name}\n      ${String(error.stack || error).split('\n').slice(0, 6).join('\n      ')}`);
  }
}

// A text somewhere on the page, visible.
const see = (page, text) => page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', ...wait });
const gone = (locator) => locator.waitFor({ state: 'detached', ...wait });

async function main() {
  const { server, port: portPromise, data } = startServer(binary);
  const port = await portPromise;
  const base = `http://127.0.0.1:${port}`;
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  let n = 0;
  const person = async (viewport) => {
    const context = await browser.newContext({ baseURL: base, viewport: viewport || { width: 1024, height: 768 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`      page error: ${e.message}`));
    await page.goto('/');
    return page;
  };
  const signUp = async (page) => {
    n += 1;
    const email = `person${n}-${Date.now()}@example.com`;
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('link', { name: 'Sell a ticket' }).waitFor(wait);
    return email;
  };
  const list = async (page, title, price) => {
    await page.getByRole('link', { name: 'Sell a ticket' }).click();
    // The view changes on the hash's change, after the click: until then a
    // seller's own ticket page shows its edit form, with a Title field too.
    await page.getByRole('heading', { name: 'Sell a ticket' }).waitFor(wait);
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Price').fill(String(price));
    await page.getByRole('button', { name: 'List ticket' }).click();
    await page.getByRole('heading', { name: title }).waitFor(wait);
  };
  const openTicket = async (page, title) => {
    await page.getByRole('link', { name: 'Tickets', exact: true }).click();
    await page.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { name: title }).waitFor(wait);
  };
  const buy = async (page) => {
    await page.getByRole('button', { name: 'Buy' }).click();
    await page.getByRole('timer').waitFor(wait);
  };
  const pay = async (page, card) => {
    await page.getByLabel('Card number').fill(card);
    await page.getByRole('button', { name: 'Pay' }).click();
  };

  const seller = await person();
  const buyer = await person();
  await signUp(seller);
  await signUp(buyer);

  await test('a listing appears for a buyer without a reload; the buyer holds it, pays, and both see it sold', async () => {
    await buyer.getByRole('link', { name: 'Tickets', exact: true }).click();
    await buyer.getByRole('table').waitFor(wait);
    await list(seller, 'Arctic Monkeys, row A', 45);
    const row = buyer.getByRole('link', { name: 'Arctic Monkeys, row A' });
    await row.waitFor(wait);  // live: the list was open before the listing
    await buyer.screenshot({ path: path.join(shots, 'tickets.png'), fullPage: true });
    await row.click();
    await see(buyer, '$45.00');
    await buyer.screenshot({ path: path.join(shots, 'ticket.png'), fullPage: true });
    await buy(buyer);
    await see(buyer, 'Held for you');
    await seller.getByRole('link', { name: 'My listings' }).click();
    await seller.getByRole('cell', { name: /^Held until \d\d:\d\d:\d\d$/ }).waitFor(wait);
    await buyer.screenshot({ path: path.join(shots, 'order.png'), fullPage: true });
    await pay(buyer, '4242 4242 4242 4242');
    await see(buyer, 'Paid: the ticket is yours');
    await see(seller, 'Sold');  // live, on the listings page already open
    await seller.screenshot({ path: path.join(shots, 'listings.png'), fullPage: true });
    await buyer.getByRole('link', { name: 'My orders' }).click();
    await see(buyer, 'Paid: the ticket is yours');
  });

  await test('a declined card releases the ticket, which shows for sale again', async () => {
    await list(seller, 'Declined show', 20);
    await openTicket(buyer, 'Declined show');
    await buy(buyer);
    await pay(buyer, '4000 0000 0000 0002');
    await buyer.getByRole('alert').filter({ hasText: 'declined' }).waitFor(wait);
    await see(buyer, 'Cancelled');
    await seller.getByRole('link', { name: 'Tickets', exact: true }).click();
    await seller.getByRole('link', { name: 'Declined show' }).waitFor(wait);
  });

  await test('a hold expires: the order says so and the ticket reappears live', async () => {
    await list(seller, 'Expiring show', 15);
    await seller.getByRole('link', { name: 'Tickets', exact: true }).click();
    const listed = seller.getByRole('link', { name: 'Expiring show' });
    await listed.waitFor(wait);
    await openTicket(buyer, 'Expiring show');
    await buy(buyer);
    await gone(listed);  // held: it leaves the list at once
    await see(buyer, 'Expired');  // after the hold (seconds here) the saga expires it
    await seller.getByRole('link', { name: 'Expiring show' }).waitFor(wait);
  });

  await test('a price changed after the buyer looked: told the new price, and buys at it', async () => {
    await list(seller, 'Repriced show', 30);
    const stale = await person();
    await stale.route('**/api/tickets/changes', (r) => r.abort());  // this page misses live updates
    await stale.reload();
    await signUp(stale);
    await openTicket(stale, 'Repriced show');
    await see(stale, '$30.00');
    await openTicket(buyer, 'Repriced show');  // this one has live updates
    await seller.getByRole('link', { name: 'My listings' }).click();
    await seller.getByRole('link', { name: 'Repriced show' }).click();
    await seller.getByLabel('Price').fill('35');
    await seller.getByRole('button', { name: 'Save' }).click();
    await see(seller, 'Saved.');
    await see(buyer, '$35.00');  // live price change
    await stale.getByRole('button', { name: 'Buy' }).click();
    await stale.getByRole('alert').filter({ hasText: 'changed the price to $35.00' }).waitFor(wait);
    await buy(stale);
    await see(stale, '$35.00');
    await see(stale, 'Held for you');
    await stale.context().close();
  });

  await test('a second buyer is told the ticket is held; a live page drops the Buy button', async () => {
    await list(seller, 'Popular show', 50);
    const second = await person();
    await second.route('**/api/tickets/changes', (r) => r.abort());
    await second.reload();
    await signUp(second);
    await openTicket(second, 'Popular show');
    await openTicket(buyer, 'Popular show');
    const third = await person();
    await openTicket(third, 'Popular show');
    const thirdBuy = third.getByRole('button', { name: 'Buy' });
    await thirdBuy.waitFor(wait);
    await buy(buyer);
    await gone(thirdBuy);
    await third.getByText(/^Held until \d\d:\d\d:\d\d$/).first().waitFor(wait);
    await second.getByRole('button', { name: 'Buy' }).click();
    await second.getByRole('alert').filter({ hasText: 'Ticket is already reserved' }).waitFor(wait);
    await second.context().close();
    await third.context().close();
  });

  await test('search by title and sort by price, answered by the server', async () => {
    await list(seller, 'Zebra gala', 99);
    await list(seller, 'Zebra brunch', 11);
    await buyer.getByRole('link', { name: 'Tickets', exact: true }).click();
    await buyer.getByLabel('Search').fill('zebra');
    await buyer.getByLabel('Sort by').selectOption('-price');
    const shown = (expected) => buyer.waitForFunction((titles) =>
      [...document.querySelectorAll('tbody a')].map((a) => a.textContent).join('|') === titles, expected, wait);
    await shown('Zebra gala|Zebra brunch');
    await buyer.getByLabel('Sort by').selectOption('price');
    await shown('Zebra brunch|Zebra gala');
    await buyer.getByLabel('Search').fill('');
  });

  await test('sign-in errors show next to the field, or as an alert; a phone-sized screen works', async () => {
    const phone = await person({ width: 375, height: 740 });
    await phone.getByRole('link', { name: 'Sign in' }).click();
    await phone.getByLabel('Email').fill('not-an-email');
    await phone.getByLabel('Password').fill('whatever1');
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.locator('#field-email-error').filter({ hasText: 'Email must be valid' }).waitFor(wait);
    await phone.getByLabel('Email').fill('nobody@example.com');
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.getByRole('alert').filter({ hasText: 'Invalid credentials' }).waitFor(wait);
    await phone.screenshot({ path: path.join(shots, 'sign-in-phone.png'), fullPage: true });
    await phone.context().close();
  });

  await test('a page refused its live stream (too many open) listens again by itself', async () => {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    let asked = 0;
    await page.route('**/api/tickets/changes*', (route) => {
      asked += 1;
      if (asked > 1) return route.continue();
      return route.fulfill({ status: 503, contentType: 'application/json', headers: { 'Retry-After': '1' },
        body: '{"errors":[{"message":"Service temporarily unavailable, try again shortly"}]}' });
    });
    const live = page.waitForResponse((r) => r.url().includes('/api/tickets/changes') && r.status() === 200, wait);
    await page.goto('/');
    await page.getByRole('table').waitFor(wait);
    await live;  // asked again after the refusal, and streaming
    await list(seller, 'Listed after a refused stream', 32);
    await page.getByRole('link', { name: 'Listed after a refused stream' }).waitFor(wait);
    await context.close();
  });

  await test('a keyboard user keeps their place while the list changes live', async () => {
    await list(seller, 'Steady place', 30);
    const page = await person();
    const focused = () => page.evaluate(() => ({
      text: document.activeElement.textContent.trim(),
      inList: document.activeElement.closest('tbody') !== null,
    }));
    const steady = page.getByRole('link', { name: 'Steady place' });
    await steady.waitFor(wait);
    await steady.focus();
    // A ticket listed meanwhile redraws the list: the focus stays on the same ticket.
    await list(seller, 'Listed while focused', 31);
    await page.getByRole('link', { name: 'Listed while focused' }).waitFor(wait);
    const kept = await focused();
    if (kept.text !== 'Steady place' || !kept.inList) throw new Error(`focus moved to "${kept.text}"`);
    // The focused ticket leaves the list (a buyer holds it): the focus stays in the list.
    await openTicket(buyer, 'Steady place');
    await buy(buyer);
    await gone(steady);
    const moved = await focused();
    if (!moved.inList) throw new Error(`focus left the list for "${moved.text}"`);
    await page.context().close();
  });

  await test('the keyboard alone: sign up, find a ticket, buy it, pay, sign out', async () => {
    await list(seller, 'Keyboard show', 25);
    const page = await person();
    // The accessible name of what has focus: a field's label, else its text.
    const focusedName = async () => page.evaluate(() => {
      const e = document.activeElement;
      return ((e.labels && e.labels[0]) ? e.labels[0].textContent : e.textContent).trim();
    });
    const tabTo = async (name) => {
      for (let i = 0; i < 60; i += 1) {
        if ((await focusedName()) === name) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached "${name}" (at "${await focusedName()}")`);
    };
    await page.keyboard.press('Tab');  // the skip link
    await tabTo('Sign up');
    await page.keyboard.press('Enter');
    await page.getByLabel('Email').waitFor(wait);
    await page.keyboard.type(`keys-${Date.now()}@example.com`);  // the field has focus
    await page.keyboard.press('Tab');
    await page.keyboard.type('password123');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor(wait);
    await tabTo('Tickets');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Keyboard show' }).waitFor(wait);
    await tabTo('Keyboard show');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Buy' }).waitFor(wait);
    await tabTo('Buy');
    await page.keyboard.press('Enter');
    await page.getByRole('timer').waitFor(wait);
    await tabTo('Card number');
    await page.keyboard.type('4242 4242 4242 4242');
    await page.keyboard.press('Enter');  // submits the payment form
    await see(page, 'Paid: the ticket is yours');
    await tabTo('Sign out');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Sign in' }).waitFor(wait);
    await page.context().close();
  });

  await browser.close();
  server.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
  console.log(failures === 0 ? 'browser tests: all passed' : `browser tests: ${failures} failed`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
