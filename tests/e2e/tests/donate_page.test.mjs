// The donation page in a real browser: client-side checks mirror the server's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { TestDatabase, seedDemoCampaign, startService, launchBrowser, resultsDir } from '../harness.mjs';

let database, service, browser;

before(async () => {
  database = new TestDatabase();
  seedDemoCampaign(database);
  service = await startService({ PLEDGED_DATABASE_URL: database.url });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (service) assert.equal(await service.stop(), 0);
  database?.drop();
});

test('the donate page offers presets, a custom amount, once or monthly, and the donor fields', async () => {
  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 390, height: 900 } });
  const response = await page.goto(`${service.url}/donate/eoy-2026`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /default-src 'none'; script-src 'self'/);
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');
  assert.ok(response.headers()['referrer-policy']);
  assert.equal(await page.locator('h1').textContent(), 'Urgent End Of Year Fundraising Campaign');
  assert.deepEqual(await page.locator('#presets button').allTextContents(), ['$10', '$25', '$50', '$100']);
  for (const id of ['#amount', '#name', '#email', '#anonymous', '#message', '#digest']) {
    assert.equal(await page.locator(id).count(), 1, id);
  }
  assert.equal(await page.locator('input[name="frequency"][value="monthly"]').count(), 1);
  await page.locator('.pledged-banner-host .a').filter({ hasText: 'raised of $50,000' }).waitFor();
  // Issue 19: the title once (the heading, not the banner again); an icon of the page's own,
  // so a browser asks for no /favicon.ico (a 404 in the console).
  assert.equal(await page.locator('.pledged-banner-host .t').isVisible(), false);
  assert.equal(await page.locator('link[rel="icon"]').getAttribute('href'), 'data:,');
  await page.screenshot({ path: path.join(resultsDir, 'donate.png'), fullPage: true });
  await page.close();
});

test('a bad amount shows a field error and sends nothing', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  const posts = [];
  page.on('request', (request) => { if (request.method() === 'POST') posts.push(request.url()); });
  await page.goto(`${service.url}/donate/eoy-2026`);
  await page.fill('#amount', '0.25');
  await page.fill('#email', 'ana@example.org');
  await page.click('#submit');
  assert.equal(await page.locator('#error-amount').textContent(), 'must be at least $0.50');
  assert.equal(await page.locator('#amount').getAttribute('aria-invalid'), 'true');
  await page.fill('#amount', '12.345');
  await page.click('#submit');
  assert.match(await page.locator('#error-amount').textContent(), /Enter an amount/);
  await page.fill('#amount', '25');
  await page.fill('#email', 'not-an-email');
  await page.click('#submit');
  assert.equal(await page.locator('#error-email').textContent(), 'Enter a valid email address');
  assert.equal(await page.locator('#error-amount').textContent(), '');
  assert.deepEqual(posts, []);
  assert.equal(database.query('SELECT count(*) FROM pledges'), '0');
  await page.close();
});

test('a cancelled checkout comes back to the form with a notice', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(`${service.url}/donate/eoy-2026?cancelled=1`);
  assert.equal(await page.locator('#cancelled').isVisible(), true);
  await page.close();
});
