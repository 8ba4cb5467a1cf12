// Donor self-service in a real browser, offline (issue 17): a donor with a one-time gift
// and a monthly gift asks for a sign-in link on /donor, reads it from a real SMTP server on
// loopback, signs in, sees both gifts, downloads the year's statement (its text read back
// with pdftotext), opens Manage, changes the amount on the Stripe stand-in's Billing
// Portal, and sees the next installment counted at the new amount.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  TestDatabase, seedDemoCampaign, startService, startStandin, startSmtpCapture, reservePort, launchBrowser, resultsDir,
} from '../harness.mjs';

const apiKey = 'sk_test_e2e_standin_key';
const webhookSecret = 'whsec_e2e_standin_secret';
const donor = 'dana@example.org';
let database, standin, smtp, service, browser;

async function until(check, what, within = 25000) {
  const deadline = Date.now() + within;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A pledge through the public route, paid on the stand-in's checkout page (as the donor's
// Pay button would post it), so every event comes from the stand-in as Stripe sends them.
async function give(amount, frequency) {
  const created = await fetch(`${service.url}/v1/pledges`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ campaign: 'eoy-2026', amount, currency: 'usd', frequency, email: donor, name: 'Dana Example' }),
  });
  const body = await created.text();
  assert.equal(created.status, 201, body);
  const pledge = JSON.parse(body);
  const paid = await fetch(`${pledge.checkout_url}/pay`, { method: 'POST', redirect: 'manual' });
  assert.equal(paid.status, 303);
  return pledge.id;
}

before(async () => {
  database = new TestDatabase();
  seedDemoCampaign(database);
  const port = await reservePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  smtp = await startSmtpCapture();
  standin = await startStandin({
    STANDIN_API_KEY: apiKey, STRIPE_WEBHOOK_SECRET: webhookSecret, PLEDGED_PUBLIC_URL: publicUrl,
  });
  service = await startService({
    PLEDGED_DATABASE_URL: database.url, PLEDGED_LISTEN: `127.0.0.1:${port}`, PLEDGED_PUBLIC_URL: publicUrl,
    STRIPE_SECRET_KEY: apiKey, STRIPE_API_BASE: standin.url, STRIPE_WEBHOOK_SECRET: webhookSecret,
    PLEDGED_SMTP_URL: smtp.url, PLEDGED_ORG_NAME: 'The Example Ledger',
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (service) assert.equal(await service.stop(), 0);
  await standin?.stop();
  await smtp?.stop();
  database?.drop();
});

test('sign in by email link, see both gifts, download the statement, change the monthly amount', async () => {
  await give(3000, 'once');
  const monthly = await give(2000, 'monthly');
  await until(() => database.query('SELECT count(*) FROM ledger_entries') === '2', 'both gifts in the ledger');

  const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${service.url}/donor`);
  await page.fill('#email', 'Dana@Example.org ');
  await page.click('#send-link');
  await page.locator('#link-status').filter({ hasText: 'sign-in link is on its way' }).waitFor();

  const email = await smtp.waitFor((m) => m.recipients.includes(donor) && /sign-in link/i.test(m.subject));
  const link = /http:\/\/127\.0\.0\.1:\d+\/donor\/[0-9A-Za-z]{43}/.exec(email.text)[0];
  await page.goto(link);
  await page.waitForURL(`${service.url}/donor/account`);
  assert.ok(!page.url().includes(link.split('/').pop()), 'the token is gone from the address bar');
  await page.screenshot({ path: path.join(resultsDir, 'donor-account.png'), fullPage: true });
  const gifts = page.locator('table.gifts');
  await gifts.locator('td', { hasText: '30.00 USD' }).waitFor();
  await gifts.locator('td', { hasText: '20.00 USD' }).waitFor();
  const monthlyGift = page.locator(`li.monthly-gift[data-pledge="${monthly}"]`);
  assert.match(await monthlyGift.innerText(), /20\.00 USD a month/);

  const year = new Date().getUTCFullYear();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a.statement[href$="${year}.pdf"]`)]);
  const saved = path.join(resultsDir, `donor-statement-${year}.pdf`);
  await download.saveAs(saved);
  const text = execFileSync('pdftotext', ['-layout', saved, '-'], { encoding: 'utf8' });
  assert.match(text, /30\.00/);
  assert.match(text, /20\.00/);
  assert.match(text, /50\.00/, 'the year\'s total');

  await monthlyGift.locator('button', { hasText: 'Manage' }).click();
  await page.waitForURL(`${standin.url}/portal/**`);
  await page.fill('input[name="amount"]', '35.00');
  await page.click('button:has-text("Update amount")');
  await page.locator('.subscription .amount', { hasText: '35.00 usd' }).waitFor();
  await until(() => database.query(`SELECT subscription_amount FROM pledges WHERE id = '${monthly}'`) === '3500',
    'the new amount on the pledge');
  await page.click('button:has-text("Charge the next month now")');
  await until(() => database.query("SELECT count(*) FROM ledger_entries WHERE amount = 3500") === '1',
    'the next installment at the new amount');

  await page.click('#return');
  await page.waitForURL(`${service.url}/donor/account`);
  assert.match(await page.locator(`li.monthly-gift[data-pledge="${monthly}"]`).innerText(), /35\.00 USD a month/);
  await gifts.locator('td', { hasText: '35.00 USD' }).waitFor();
  await page.screenshot({ path: path.join(resultsDir, 'donor-account-after-portal.png'), fullPage: true });
  await context.close();
});

test('a used link does not sign in again', async () => {
  const page = await browser.newPage();
  const email = smtp.messages().find((m) => m.recipients.includes(donor) && /sign-in link/i.test(m.subject));
  const link = /http:\/\/127\.0\.0\.1:\d+\/donor\/[0-9A-Za-z]{43}/.exec(email.text)[0];
  const response = await page.goto(link);
  assert.equal(response.status(), 410);
  await page.locator('h1', { hasText: 'no longer works' }).waitFor();
  await page.close();
});
