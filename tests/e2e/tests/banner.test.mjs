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

// Runs last: the match it adds stays in this file's database.
test('while a match is active the banner and the donation page say so, and the bar counts raised + matched', async () => {
  const campaign = `FROM campaigns WHERE slug = 'eoy-2026'`;
  database.query(`INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email)
                  SELECT 'pl_e2ematch00000000000000001', id, 10000, 'usd', 'once', 'paid', 'cy@example.org' ${campaign}`);
  database.query(`INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, occurred_at)
                  SELECT id, 'pl_e2ematch00000000000000001', 'payment', 10000, 'usd', 'cy@example.org', 'pi_e2ematch1', now() ${campaign}`);
  database.query(`INSERT INTO matches (id, campaign_id, sponsor, ratio, cap, currency, starts_at, ends_at, applies_to)
                  SELECT 'mt_e2ematch00000000000000001', id, 'The Knight Fund', 100, 760000, 'usd', starts_at, ends_at, 'all' ${campaign}`);
  await new Promise((resolve) => setTimeout(resolve, 2500));  // NOTIFY refresh: within 2 s
  // 37,345.00 of offline gifts (earlier tests) + a 100.00 payment, matched one to one: 100.00 of 7,600.00.
  const figures = await progress();
  assert.equal(figures.raised, 3744500);
  assert.equal(figures.matched, 10000);
  assert.deepEqual(figures.match, { sponsor: 'The Knight Fund', ratio: 100, remaining: 750000 });
  assert.equal(figures.percent, 75.09);  // (3,744,500 + 10,000) / 5,000,000

  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1024, height: 400 } });
  for (const url of [host.origin + '/', `${service.url}/donate/eoy-2026`]) {
    await page.goto(url);
    const banner = page.locator('.pledged-banner-host');
    await banner.locator('.mt').filter({ hasText: 'Your gift is doubled by The Knight Fund — $7,500 of matching left' })
      .waitFor({ timeout: 10000 });
    assert.equal(await banner.locator('.a').textContent(), '$37,445 raised and $100 matched of $50,000', url);
    assert.equal(await banner.locator('[role="progressbar"]').getAttribute('aria-valuenow'), '75.09', url);
    assert.match(await banner.locator('.m').textContent(), /^75\.09% · /, url);
  }
  await page.locator('.pledged-banner-host').screenshot({ path: path.join(resultsDir, 'banner-match.png') });
  await page.close();
});
