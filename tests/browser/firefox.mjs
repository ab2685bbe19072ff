// The web app in Debian's Firefox ESR, driven by puppeteer-core over WebDriver
// BiDi (no browser download), against the real server: the main path of a
// seller and a buyer in two browser contexts: sign up, list, the listing
// appears live for the buyer, hold, pay with 4242..., both see it sold.
// Chromium runs the full suite (run.mjs); this checks the same page works in
// the other engine.
//
// Usage: node firefox.mjs [path/to/ticketing]

import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startServer } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = process.argv[2] || path.join(root, 'build/dev/app/ticketing');
const timeout = 15000;

// Waits until an element matching `selector` whose text includes `text` is there.
function textIn(page, selector, text) {
  return page.waitForFunction((s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)),
    { timeout }, selector, text);
}
async function click(page, selector, text) {
  await textIn(page, selector, text);
  await page.evaluate((s, t) => [...document.querySelectorAll(s)].find((e) => e.textContent.includes(t)).click(),
    selector, text);
}
async function fill(page, label, value) {
  const id = await page.waitForFunction((l) => [...document.querySelectorAll('label')]
    .find((e) => e.textContent === l)?.htmlFor, { timeout }, label);
  const selector = `#${await id.jsonValue()}`;
  await page.$eval(selector, (e) => { e.value = ''; });
  await page.type(selector, value);
}

async function main() {
  const { server, port: portPromise, data } = startServer(binary);
  const base = `http://127.0.0.1:${await portPromise}`;
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true, args: ['--no-remote'] });
  const person = async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await click(page, 'nav a', 'Sign up');
    await fill(page, 'Email', `ff-${Math.random().toString(36).slice(2)}@example.com`);
    await fill(page, 'Password', 'password123');
    await click(page, 'form button', 'Sign up');
    await textIn(page, 'nav a', 'Sell a ticket');
    return page;
  };
  let ok = false;
  try {
    const seller = await person();
    const buyer = await person();
    await click(buyer, 'nav a', 'Tickets');
    await buyer.waitForSelector('table', { timeout });
    await click(seller, 'nav a', 'Sell a ticket');
    await fill(seller, 'Title', 'Firefox night');
    await fill(seller, 'Price', '33');
    await click(seller, 'form button', 'List ticket');
    await textIn(seller, 'h1', 'Firefox night');
    await click(buyer, 'tbody a', 'Firefox night');  // appeared live
    await click(buyer, 'button', 'Buy');
    await buyer.waitForSelector('[role=timer]', { timeout });
    await fill(buyer, 'Card number', '4242 4242 4242 4242');
    await click(buyer, 'form button', 'Pay');
    await textIn(buyer, '[role=status]', 'Paid');
    await click(seller, 'nav a', 'My listings');
    await textIn(seller, 'td', 'Sold');
    ok = true;
    console.log('ok    Firefox: a listing appears live, is held, paid, and both see it sold');
  } catch (error) {
    console.log(`FAIL  Firefox: ${String(error.stack || error).split('\n').slice(0, 4).join('\n      ')}`);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  }
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
