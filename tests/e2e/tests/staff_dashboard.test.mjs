// The staff dashboard in a real browser: token prompt, report cards, SVG charts,
// CSV download through fetch + Blob, on a phone-sized screen, with no other hosts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import {
  TestDatabase, seedDemoCampaign, startService, launchBrowser, runPledged, resultsDir, tabTo,
} from '../harness.mjs';

let database, service, browser, token;

before(async () => {
  database = new TestDatabase();
  seedDemoCampaign(database);
  token = runPledged(['token', 'create', '--name', 'e2e-viewer', '--role', 'viewer'],
    { PLEDGED_DATABASE_URL: database.url }).trim();
  database.query(`INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email, donor_name)
    SELECT 'pl_e2e000000000000000001', id, 2500, 'usd', 'monthly', 'active', 'ana@example.org', 'Ana' FROM campaigns`);
  database.query(`INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key,
      stripe_object_id, offline_method, donor_name, occurred_at)
    SELECT c.id, v.pledge, v.kind, v.amount, 'usd', v.donor, v.object, v.method, v.name, v.at::timestamptz
    FROM campaigns c, (VALUES
      ('pl_e2e000000000000000001', 'payment', 2500, 'ana@example.org', 'in_1', NULL, NULL, '2026-11-16T15:00:00Z'),
      ('pl_e2e000000000000000001', 'payment', 2500, 'ana@example.org', 'in_2', NULL, NULL, '2026-11-20T15:00:00Z'),
      (NULL, 'offline_gift', 100000, 'ben@example.org', NULL, 'check', 'Ben <b>Bold</b>', '2026-11-18T15:00:00Z'),
      (NULL, 'offline_gift', 40000, 'cat@example.org', NULL, 'cash', 'Cat', '2026-11-21T15:00:00Z')
    ) v(pledge, kind, amount, donor, object, method, name, at)`);
  service = await startService({ PLEDGED_DATABASE_URL: database.url });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (service) assert.equal(await service.stop(), 0);
  database?.drop();
});

test('the dashboard asks for a token, then shows cards, charts, tables and downloads the CSV', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York',
    viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const page = await context.newPage();
  const hosts = new Set();
  page.on('request', (request) => hosts.add(new URL(request.url()).host));

  const response = await page.goto(`${service.url}/staff?campaign=eoy-2026`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /default-src 'none'; script-src 'self'/);
  assert.equal(await page.locator('#token-form').isVisible(), true);
  assert.equal(await page.locator('#dashboard').isVisible(), false);

  await page.fill('#token', 'pst_' + 'x'.repeat(40));
  await page.click('#token-form button[type=submit]');
  await page.locator('#token-error').filter({ hasText: 'not accepted' }).waitFor();

  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
  await page.locator('#chart-cumulative svg path.raised').waitFor();
  assert.equal(await page.locator('#token-form').isVisible(), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('pledged_staff_token')), token);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'the token never goes to localStorage');

  const cards = await page.locator('#cards .card').allTextContents();
  assert.ok(cards.some((text) => text.includes('Raised') && text.includes('$1,450.00')), cards.join(' | '));
  assert.ok(cards.some((text) => text.includes('Gifts') && text.includes('4')), cards.join(' | '));
  assert.equal(await page.locator('#chart-cumulative svg line.goal').count(), 1);
  assert.ok(await page.locator('#chart-daily svg rect.bar').count() >= 40);
  assert.match(await page.locator('#recurring-share').textContent(), /monthly/);
  assert.match(await page.locator('#top-donors tbody').textContent(), /Ben <b>Bold<\/b>/, 'names are text, not HTML');
  assert.equal(await page.locator('#top-donors tbody b').count(), 0);
  assert.equal(await page.locator('#recent-gifts tbody tr').count(), 4);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-gifts')]);
  assert.equal(download.suggestedFilename(), 'eoy-2026-gifts.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv.split('\r\n')[0], /^entry_id,occurred_at,date,kind,amount/);
  assert.equal(csv.trim().split('\r\n').length, 5);

  await page.screenshot({ path: path.join(resultsDir, 'staff-dashboard.png'), fullPage: true });
  assert.deepEqual([...hosts], [`127.0.0.1:${service.port}`], 'no third-party hosts');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `readable on a phone without sideways scrolling (page is ${width}px wide)`);

  await page.click('#sign-out');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('pledged_staff_token')), null);
  assert.equal(await page.locator('#token-form').isVisible(), true);
  await context.close();
});

test('keyboard only: Tab to the token, type it, Enter signs in; a refused token is announced at the field', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(`${service.url}/staff?campaign=eoy-2026`);
  await tabTo(page, '#token');
  await page.keyboard.type('pst_' + 'x'.repeat(40));
  await page.keyboard.press('Enter');
  await page.locator('#token-error').filter({ hasText: 'not accepted' }).waitFor();
  assert.equal(await page.locator('#token').getAttribute('aria-describedby'), 'token-error');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'token');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.locator('#chart-cumulative svg path.raised').waitFor();
  await tabTo(page, '#sign-out');
  await page.close();
});
