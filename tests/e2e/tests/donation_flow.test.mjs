// The whole gift in a real browser, offline: donate page → the Stripe stand-in's hosted
// checkout → Pay → back on the thank-you page, which asks about its own pledge and shows
// the gift counted, with the banner drawn from the same fresh figure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  TestDatabase, seedDemoCampaign, startService, startStandin, reservePort, launchBrowser, resultsDir, runPledged, tabTo,
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

// Issue 18: "Add $X to cover fees" is computed in the page by the server's rule; for five
// amounts (4.56 and 23.98 where a half rounds up: 14.5 and 72.5 cents of percentage) the
// line shows exactly the `fee` the server answers, before anything is submitted.
test('the fee line equals the server\'s fee for five amounts, and a ticked box is charged with it', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(`${service.url}/donate/eoy-2026`);
  assert.equal(await page.locator('#cover-fee-choice').isVisible(), true);
  assert.equal(await page.locator('#cover-fee').isChecked(), false, 'the donor chooses; nothing is added unasked');
  const line = page.locator('#cover-fee-line');
  for (const [typed, amount, written] of [['25', 2500, '$1.06'], ['4.56', 456, '$0.45'], ['23.98', 2398, '$1.03'],
    ['0.50', 50, '$0.32'], ['100', 10000, '$3.30']]) {
    await page.fill('#amount', typed);
    assert.equal(await line.textContent(), `Add ${written} to cover fees`, typed);
    const shown = Number(await line.getAttribute('data-fee'));
    const reply = await fetch(`${service.url}/v1/pledges`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ campaign: 'eoy-2026', amount, currency: 'usd', frequency: 'once',
        email: 'fee-check@example.org', cover_fee: true }),
    });
    assert.equal(reply.status, 201, typed);
    const pledge = await reply.json();
    assert.equal(shown, pledge.fee, `${typed}: the page's fee is the server's`);
    assert.equal(pledge.charged, amount + pledge.fee, typed);
  }
  await page.click('#presets button[data-amount="25"]');
  assert.equal(await line.textContent(), 'Add $1.06 to cover fees', 'a preset updates the line too');
  await tabTo(page, '#cover-fee');  // keyboard: Tab to the box (its focus visible), Space ticks it
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#cover-fee').isChecked(), true);
  assert.equal(await page.locator('#cover-fee-total').textContent(), 'You will be charged $26.06.');
  await page.fill('#email', 'gus@example.org');
  await page.click('#submit');
  await page.waitForURL(`${standin.url}/checkout/**`, { timeout: 15000 });
  assert.equal(database.query("SELECT amount || ' ' || fee || ' ' || charged FROM pledges WHERE donor_email = 'gus@example.org'"),
    '2500 106 2606');
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

// Issue 19: the donor looks at the banner to see their own gift. A campaign of its own with
// $25 already in, which the donation page's banner shows (and the browser keeps for its
// max-age); the thank-you page must not show that figure, nor wait for the banner's next poll.
test('$50 once: the thank-you page shows the gift counted in the total, not a figure from before it', async () => {
  runPledged(['campaign', 'create', '--slug', 'thanks-test', '--title', 'Thank You Test Campaign',
    '--goal', '50000.00', '--currency', 'usd', '--starts', '2026-11-15', '--ends', '2026-12-31'],
  { PLEDGED_DATABASE_URL: database.url });
  database.query(`INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, occurred_at)
                  SELECT id, 'offline_gift', 2500, 'usd', 'dee@example.org', 'check', now() FROM campaigns
                  WHERE slug = 'thanks-test'`);
  const page = await browser.newPage({ locale: 'en-US' });
  for (let tries = 0; ; ++tries) {  // the new campaign reaches the snapshot by NOTIFY, within 2 s
    const response = await page.goto(`${service.url}/donate/thanks-test`);
    if (response.status() === 200 || tries === 40) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await page.locator('.pledged-banner-host .a').filter({ hasText: '$25 raised of $50,000' }).waitFor();
  await page.click('#presets button[data-amount="50"]');
  await page.fill('#email', 'eve@example.org');
  await page.click('#submit');
  await page.waitForURL(`${standin.url}/checkout/**`, { timeout: 15000 });
  const asked = [];
  page.on('request', (request) => asked.push(new URL(request.url()).pathname));
  await page.click('button:has-text("Pay")');
  await page.waitForURL(`${service.url}/donate/thanks-test/thanks?pledge=pl_*`, { timeout: 15000 });
  // The issue's bound: within 3 s of the redirect (more under the sanitizers' slowdown).
  const within = process.env.ASAN_OPTIONS || process.env.TSAN_OPTIONS ? 10000 : 3000;
  await page.locator('#gift-status')
    .filter({ hasText: 'Your $50 is counted: together we have raised $75 of $50,000.' }).waitFor({ timeout: within });
  await page.locator('.pledged-banner-host .a').filter({ hasText: '$75 raised of $50,000' }).waitFor({ timeout: 1000 });
  assert.equal(await page.locator('.pledged-banner-host [role="progressbar"]').getAttribute('aria-valuenow'), '0.15');
  assert.ok(asked.some((p) => p.startsWith('/v1/pledges/pl_')), asked.join(' '));
  assert.ok(!asked.some((p) => p.endsWith('/progress')), `the banner's figure came from the pledge's answer: ${asked.join(' ')}`);
  await page.screenshot({ path: path.join(resultsDir, 'thanks-counted.png'), fullPage: true });
  await page.close();
});

test('a pledge that expired says so kindly and offers to try again', async () => {
  database.query(`INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email)
                  SELECT 'pl_expired00000000000000001', id, 5000, 'usd', 'once', 'expired', 'fay@example.org'
                  FROM campaigns WHERE slug = 'eoy-2026'`);
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(`${service.url}/donate/eoy-2026/thanks?pledge=pl_expired00000000000000001`);
  await page.locator('#gift-status').filter({ hasText: 'nothing was charged' }).waitFor();
  await page.click('#try-again a');
  await page.waitForURL(`${service.url}/donate/eoy-2026`);
  await page.close();
});

test('keyboard only: Tab, Space and Enter give a gift, with visible focus and errors announced at their fields', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(`${service.url}/donate/eoy-2026`);
  await tabTo(page, 'input[name="frequency"][value="once"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('input[name="frequency"][value="monthly"]').isChecked(), true);
  await tabTo(page, '#presets button[data-amount="50"]');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#presets button[data-amount="50"]').getAttribute('aria-pressed'), 'true');
  await tabTo(page, '#submit');
  await page.keyboard.press('Enter');  // no email yet: the error is announced, tied to its field, and focused
  await page.locator('#error-email').filter({ hasText: 'Enter a valid email address' }).waitFor();
  assert.equal(await page.locator('#error-email').getAttribute('role'), 'alert');
  assert.equal(await page.locator('#email').getAttribute('aria-describedby'), 'error-email');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
  await page.keyboard.type('kim@example.org');
  await tabTo(page, '#submit');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${standin.url}/checkout/**`, { timeout: 15000 });
  assert.equal(database.query("SELECT frequency || ' ' || amount FROM pledges WHERE donor_email = 'kim@example.org'"),
    'monthly 5000');
  await page.close();
});
