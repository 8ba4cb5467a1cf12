// WCAG 2.0 / 2.1 A and AA on every donor-facing page and the staff dashboard, as axe-core
// (npm, pinned in package-lock.json) finds them in Chromium: any violation fails, and so does
// any console error (a failed request included). The pages' CSP allows only their own
// scripts, so the test's browser context bypasses it to inject axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  TestDatabase, seedDemoCampaign, startService, startHostPage, reservePort, launchBrowser,
} from '../harness.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const wcagAA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let database, service, host, browser, context;

before(async () => {
  database = new TestDatabase();
  seedDemoCampaign(database);
  // A counted gift and a failed one, for both faces of the thank-you page.
  database.query(`INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email)
    SELECT v.id, c.id, 5000, 'usd', 'once', v.status, 'ana@example.org' FROM campaigns c,
      (VALUES ('pl_a11y0000000000000000001', 'paid'), ('pl_a11y0000000000000000002', 'failed')) v(id, status)`);
  database.query(`INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key,
      stripe_object_id, occurred_at)
    SELECT id, 'pl_a11y0000000000000000001', 'payment', 5000, 'usd', 'ana@example.org', 'py_a11y1', now()
    FROM campaigns`);
  const hostPort = await reservePort();
  service = await startService({ PLEDGED_DATABASE_URL: database.url, PLEDGED_ALLOWED_ORIGINS: `http://127.0.0.1:${hostPort}` });
  host = await startHostPage(service.url, hostPort);
  browser = await launchBrowser();
  context = await browser.newContext({ locale: 'en-US', bypassCSP: true });
});

after(async () => {
  await browser?.close();
  await host?.close();
  if (service) assert.equal(await service.stop(), 0);
  database?.drop();
});

// axe's WCAG A/AA rules over the page as it stands, shadow roots included; one line per violation.
async function violations(page) {
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), wcagAA);
  return results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// A page that records its console errors and failed requests in page.problems.
async function newPage() {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => { if (message.type() === 'error') page.problems.push(message.text()); });
  page.on('pageerror', (error) => page.problems.push(String(error)));
  page.on('requestfailed', (request) => page.problems.push(`failed: ${request.url()}`));
  return page;
}

async function audit(url, ready) {
  const page = await newPage();
  await page.goto(url);
  await ready(page);
  const found = await violations(page);
  await page.close();
  return [...found, ...page.problems];
}

const bannerDrawn = (page) => page.locator('.pledged-banner-host .a').filter({ hasText: 'raised of $50,000' }).waitFor();

test('the donation page passes WCAG 2.1 AA, also while it shows field errors', async () => {
  const page = await newPage();
  await page.goto(`${service.url}/donate/eoy-2026`);
  await bannerDrawn(page);
  assert.deepEqual(await violations(page), []);
  await page.fill('#amount', '0.10');
  await page.fill('#email', 'not-an-email');
  await page.click('#submit');
  await page.locator('#error-email').filter({ hasText: 'valid email' }).waitFor();
  assert.deepEqual(await violations(page), [], 'with errors shown');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the banner passes WCAG 2.1 AA: in its iframe page and drawn by the one tag on a host page', async () => {
  assert.deepEqual(await audit(`${service.url}/embed/eoy-2026`, bannerDrawn), [], '/embed/eoy-2026');
  assert.deepEqual(await audit(`${host.origin}/`, bannerDrawn), [], 'host page');
});

test('the thank-you page passes WCAG 2.1 AA, counted or failed', async () => {
  const counted = (page) => page.locator('#gift-status').filter({ hasText: 'is counted' }).waitFor();
  assert.deepEqual(await audit(`${service.url}/donate/eoy-2026/thanks?pledge=pl_a11y0000000000000000001`, counted), []);
  const failed = (page) => page.locator('#try-again').waitFor();
  assert.deepEqual(await audit(`${service.url}/donate/eoy-2026/thanks?pledge=pl_a11y0000000000000000002`, failed), []);
});

test('the staff dashboard passes WCAG 2.1 AA', async () => {
  assert.deepEqual(await audit(`${service.url}/staff`, (page) => page.locator('#token').waitFor()), []);
});

test('the donor pages pass WCAG 2.1 AA: sign-in, a link that no longer works, the account page', async () => {
  assert.deepEqual(await audit(`${service.url}/donor`, (page) => page.locator('#email').waitFor()), [], '/donor');
  const invalid = 'A'.repeat(43);
  // Its 410 is the page's own status (Chromium notes it in the console), not a failed resource.
  const invalidPage = (await audit(`${service.url}/donor/${invalid}`, (page) => page.locator('h1').waitFor()))
    .filter((problem) => !problem.includes('status of 410'));
  assert.deepEqual(invalidPage, [], 'a used or expired link');
  // A session as a redeemed link leaves it (only its hash is stored), for the donor of the counted gift.
  const { createHash } = await import('node:crypto');
  const sessionId = 'a11ySession'.padEnd(43, '0');
  const hash = createHash('sha256').update(sessionId).digest('hex');
  database.query(`INSERT INTO donor_sessions (id_hash, donor_key, csrf_token, created_at, expires_at)
    VALUES ('${hash}', 'ana@example.org', '${'c'.repeat(43)}', now(), now() + interval '30 minutes')`);
  await context.addCookies([{ name: 'pledged_donor', value: sessionId, url: service.url }]);
  assert.deepEqual(await audit(`${service.url}/donor/account`, (page) => page.locator('table.gifts').waitFor()), [],
    '/donor/account');
});
