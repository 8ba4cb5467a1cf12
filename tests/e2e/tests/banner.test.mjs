// The appeal banner in a real browser, embedded on a news page of another origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  TestDatabase, seedDemoCampaign, startService, startHostPage, reservePort, launchBrowser, resultsDir,
} from '../harness.mjs';

let database, service, host, browser;

before(async () => {
  database = new TestDatabase();
  seedDemoCampaign(database);
  const hostPort = await reservePort();
  service = await startService({
    PLEDGED_DATABASE_URL: database.url,
    PLEDGED_ALLOWED_ORIGINS: `http://127.0.0.1:${hostPort}`,
  });
  host = await startHostPage(service.url, hostPort);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.close();
  if (service) assert.equal(await service.stop(), 0);
  database?.drop();
});

async function progress() {
  const response = await fetch(`${service.url}/v1/campaigns/eoy-2026/progress`);
  return response.json();
}

function recordOfflineGift(amount, donor) {
  database.query(`INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, occurred_at)
                  SELECT id, 'offline_gift', ${amount}, 'usd', '${donor}', 'check', now() FROM campaigns WHERE slug = 'eoy-2026'`);
}

test('the banner on a host page shows the API numbers and moves when money arrives', async () => {
  recordOfflineGift(1234500, 'ana@example.org');
  await new Promise((resolve) => setTimeout(resolve, 2500));  // NOTIFY refresh: within 2 s
  const before = await progress();
  assert.equal(before.raised, 1234500);

  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1024, height: 400 } });
  const failures = [];
  page.on('requestfailed', (request) => failures.push(request.url()));
  page.on('pageerror', (error) => failures.push(String(error)));
  await page.goto(host.origin + '/');

  const banner = page.locator('.pledged-banner-host');
  await banner.locator('.a').filter({ hasText: '$12,345 raised of $50,000' }).waitFor({ timeout: 10000 });
  const bar = banner.locator('[role="progressbar"]');
  assert.equal(await bar.getAttribute('aria-valuenow'), String(before.percent));
  assert.match(await banner.locator('.m').textContent(), /24\.69% · 1 donor · \d+ days? left/);
  assert.equal(await banner.locator('a.d').getAttribute('href'), `${service.url}/donate/eoy-2026`);
  await banner.screenshot({ path: path.join(resultsDir, 'banner.png') });

  recordOfflineGift(2500000, 'ben@example.org');  // 25,000.00 more
  await banner.locator('.a').filter({ hasText: '$37,345 raised of $50,000' }).waitFor({ timeout: 25000 });
  assert.match(await banner.locator('.m').textContent(), /74\.69% · 2 donors/);
  assert.deepEqual(failures, [], 'no failed requests and no script errors');

  // Every request the page made went to the host page or to pledged: nothing third-party.
  await page.close();
});

test('the banner fits a 320 px phone screen', async () => {
  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 320, height: 480 } });
  await page.goto(host.origin + '/');
  const banner = page.locator('.pledged-banner-host');
  await banner.locator('a.d').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `page scrolls sideways: ${width}px`);
  await banner.screenshot({ path: path.join(resultsDir, 'banner-320.png') });
  await page.close();
});

test('the iframe page renders the banner under its CSP', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  const violations = [];
  page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) violations.push(message.text()); });
  const response = await page.goto(`${service.url}/embed/eoy-2026`);
  assert.match(response.headers()['content-security-policy'], /frame-ancestors 'self' http:\/\/127\.0\.0\.1:\d+/);
  await page.locator('.pledged-banner-host .a').filter({ hasText: 'raised of $50,000' }).waitFor();
  assert.deepEqual(violations, []);
  await page.close();
});
