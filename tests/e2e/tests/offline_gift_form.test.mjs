// The dashboard's offline gift form in a real browser: an admin records a check; when
// the answer is lost (the browser sees a network error after the server recorded the
// gift), pressing Record again sends the same Idempotency-Key and the gift counts once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDatabase, seedDemoCampaign, startService, launchBrowser, runPledged } from '../harness.mjs';

let database, service, browser, token;

before(async () => {
  database = new TestDatabase();
  seedDemoCampaign(database);
  token = runPledged(['token', 'create', '--name', 'e2e-admin', '--role', 'admin'],
    { PLEDGED_DATABASE_URL: database.url }).trim();
  service = await startService({ PLEDGED_DATABASE_URL: database.url });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (service) assert.equal(await service.stop(), 0);
  database?.drop();
});

// The dashboard, signed in with the admin token, showing eoy-2026.
async function signIn() {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
  const page = await context.newPage();
  await page.goto(`${service.url}/staff?campaign=eoy-2026`);
  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
  return { context, page };
}

const giftRows = () => database.query(
  "SELECT count(*) || ' ' || coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'offline_gift'").trim();

test('a resubmitted offline gift is recorded once, a new one again', async () => {
  const { context, page } = await signIn();
  await page.locator('#cards .card').first().waitFor();

  const keys = [];
  let loseTheAnswer = true;
  await page.route('**/offline-gifts', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (!loseTheAnswer) return route.continue();
    loseTheAnswer = false;
    await route.fetch();  // the server records the gift ...
    await route.abort('connectionreset');  // ... and its answer never reaches the browser
  });

  await page.fill('#gift-amount', '250.50');
  await page.selectOption('#gift-method', 'check');
  await page.fill('#gift-name', 'Gala table 4');
  await page.click('#gift-submit');
  await page.locator('#gift-error').filter({ hasText: 'Press Record again' }).waitFor();
  assert.equal(giftRows(), '1 25050', 'the server did record it');

  await page.click('#gift-submit');
  await page.locator('#gift-done').filter({ hasText: 'Recorded' }).waitFor();
  assert.equal(keys.length, 2);
  assert.match(keys[0], /^gift-[0-9a-f]{32}$/);
  assert.equal(keys[1], keys[0], 'the same submission, the same key');
  assert.equal(giftRows(), '1 25050', 'counted once');

  await page.fill('#gift-amount', '100');
  await page.click('#gift-submit');
  await page.locator('#gift-done').filter({ hasText: '$100.00' }).waitFor();
  assert.equal(keys.length, 3);
  assert.notEqual(keys[2], keys[0], 'a new submission, a new key');
  assert.equal(giftRows(), '2 35050');
  await context.close();
});

test('the match form adds a match once per submission and its panel shows earned against the cap', async () => {
  const { context, page } = await signIn();
  await page.locator('#matches').filter({ hasText: 'No match on this campaign.' }).waitFor();

  const keys = [];
  let loseTheAnswer = true;
  await page.route('**/matches', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (!loseTheAnswer) return route.continue();
    loseTheAnswer = false;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.fill('#match-sponsor', 'The Knight Fund');
  await page.fill('#match-cap', '7500');
  await page.fill('#match-per-gift', '1000.00');
  await page.click('#match-submit');
  await page.locator('#match-error').filter({ hasText: 'Press Add again' }).waitFor();
  await page.click('#match-submit');
  await page.locator('#match-done').filter({ hasText: 'Added: The Knight Fund, up to $7,500.00.' }).waitFor();
  assert.equal(keys.length, 2);
  assert.match(keys[0], /^match-[0-9a-f]{32}$/);
  assert.equal(keys[1], keys[0], 'the same submission, the same key');
  assert.equal(database.query('SELECT count(*) || \' \' || min(cap) || \' \' || min(per_gift_cap) FROM matches').trim(),
    '1 750000 100000', 'added once');

  const panel = page.locator('#matches .match');
  await panel.locator('h3').filter({ hasText: 'The Knight Fund (100%, all)' }).waitFor();
  assert.equal(await panel.locator('.match-figures').textContent(), '$0.00 earned of $7,500.00, $7,500.00 left · active');
  assert.equal(await panel.locator('svg path.earned').count(), 1);
  assert.equal(await panel.locator('svg line.cap').count(), 1);
  await context.close();
});
