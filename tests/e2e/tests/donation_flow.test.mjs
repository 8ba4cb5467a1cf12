// The whole gift in a real browser, offline: donate page → the Stripe stand-in's hosted
// checkout → Pay → back on the thank-you page, where the banner shows the new money once
// the stand-in's signed webhook has been applied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  TestDatabase, seedDemoCampaign, startService, startStandin, reservePort, launchBrowser, resultsDir,
} from '../harness.mjs';

const apiKey = 'sk_test_e2e_standin_key';
const webhookSecret = 'whsec_e2e_standin_secret';
let database, standin, service, browser;

before(async () => {
  database = new TestDatabase();
  seedDemoCampaign(database);
  const port = await reservePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  standin = await startStandin({
    STANDIN_API_KEY: apiKey, STRIPE_WEBHOOK_SECRET: webhookSecret, PLEDGED_PUBLIC_URL: publicUrl,
  });
  service = await startService({
    PLEDGED_DATABASE_URL: database.url, PLEDGED_LISTEN: `127.0.0.1:${port}`, PLEDGED_PUBLIC_URL: publicUrl,
    STRIPE_SECRET_KEY: apiKey, STRIPE_API_BASE: standin.url, STRIPE_WEBHOOK_SECRET: webhookSecret,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (service) assert.equal(await service.stop(), 0);
  await standin?.stop();
  database?.drop();
});

test('$25 monthly: donate, pay on the checkout page, come back, and watch the banner grow', async () => {
  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 390, height: 900 } });
  await page.goto(`${service.url}/donate/eoy-2026`);
  await page.check('input[name="frequency"][value="monthly"]');
  await page.click('#presets button[data-amount="25"]');
  await page.fill('#name', 'Ana Example');
  await page.fill('#email', 'ana@example.org');
  await page.check('#digest');
  await page.click('#submit');

  await page.waitForURL(`${standin.url}/checkout/**`, { timeout: 15000 });
  await page.screenshot({ path: path.join(resultsDir, 'standin-checkout.png') });
  await page.click('button:has-text("Pay")');

  await page.waitForURL(`${service.url}/donate/eoy-2026/thanks**`, { timeout: 15000 });
  const banner = page.locator('.pledged-banner-host');
  await banner.locator('.a').filter({ hasText: '$25 raised of $50,000' }).waitFor({ timeout: 25000 });
  await page.screenshot({ path: path.join(resultsDir, 'thanks.png'), fullPage: true });

  assert.equal(database.query("SELECT frequency || ' ' || amount || ' ' || status || ' ' || digest_opt_in FROM pledges"),
    'monthly 2500 active true');
  assert.equal(database.query("SELECT sum(amount) FROM ledger_entries"), '2500');
  await page.close();
});

test('a double click on submit creates one pledge', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(`${service.url}/donate/eoy-2026`);
  await page.click('#presets button[data-amount="50"]');
  await page.fill('#email', 'ben@example.org');
  await page.dblclick('#submit');
  await page.waitForURL(`${standin.url}/checkout/**`, { timeout: 15000 });
  assert.equal(database.query("SELECT count(*) FROM pledges WHERE donor_email = 'ben@example.org'"), '1');
  await page.close();
});

test('an amount the server refuses shows its field error next to the field', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(`${service.url}/donate/eoy-2026`);
  // Bypass the page's own check to see the API's 422 rendered.
  await page.evaluate(() => { document.getElementById('donate').dataset.minimum = '1'; });
  await page.fill('#amount', '0.10');
  await page.fill('#email', 'cy@example.org');
  await page.click('#submit');
  await page.locator('#error-amount').filter({ hasText: 'must be at least' }).waitFor({ timeout: 10000 });
  assert.equal(database.query("SELECT count(*) FROM pledges WHERE donor_email = 'cy@example.org'"), '0');
  await page.close();
});
