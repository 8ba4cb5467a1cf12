// What every browser test needs: a fresh database on the private cluster, the real
// `pledged serve` on a free port, a host page on another origin, and Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { chromium } from 'playwright-core';

const binary = process.env.PLEDGED_BINARY;
const adminUrl = process.env.PLEDGED_TEST_DATABASE_URL;
if (!binary || !adminUrl) {
  throw new Error('PLEDGED_BINARY and PLEDGED_TEST_DATABASE_URL must be set: run through scripts/test');
}
export const resultsDir = process.env.PLEDGED_E2E_RESULTS || path.resolve('results');
mkdirSync(resultsDir, { recursive: true });
const logDir = process.env.PLEDGED_TEST_LOG_DIR || resultsDir;

function psql(url, sql) {
  return execFileSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { encoding: 'utf8' }).trim();
}

export class TestDatabase {
  constructor() {
    this.name = 'pledged_e2e_' + randomBytes(6).toString('hex');
    psql(adminUrl, `CREATE DATABASE ${this.name}`);
    const url = new URL(adminUrl);
    url.pathname = '/' + this.name;
    this.url = url.toString();
  }
  query(sql) { return psql(this.url, sql); }
  drop() { psql(adminUrl, `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`); }
}

// The sanitizers' options (and so their suppressions) reach every process started
// here, as in the C++ test support; scripts/test sets them for its sanitizer stage.
const sanitizerOptions = Object.fromEntries(['ASAN_OPTIONS', 'LSAN_OPTIONS', 'UBSAN_OPTIONS', 'TSAN_OPTIONS']
  .filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
const sanitizerFindings = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:', 'WARNING: ThreadSanitizer'];

function childEnv(env) {
  return { PATH: process.env.PATH, ...sanitizerOptions, ...env };
}

export function runPledged(args, env) {
  return execFileSync(binary, args, { env: childEnv(env), encoding: 'utf8' });
}

export function seedDemoCampaign(database) {
  const env = { PLEDGED_DATABASE_URL: database.url };
  runPledged(['migrate'], env);
  runPledged(['campaign', 'create', '--slug', 'eoy-2026', '--title', 'Urgent End Of Year Fundraising Campaign',
    '--goal', '50000.00', '--currency', 'usd', '--starts', '2026-11-15', '--ends', '2026-12-31'], env);
}

// Starts `pledged serve` on a free port; resolves once it logs "listening".
export async function startService(env) {
  const logPath = path.join(logDir, `pledged-e2e-${randomBytes(4).toString('hex')}.log`);
  const log = openSync(logPath, 'a');
  const child = spawn(binary, ['serve'], {
    env: childEnv({ PLEDGED_LISTEN: '127.0.0.1:0', PLEDGED_METRICS_LISTEN: '127.0.0.1:0', ...env }),
    stdio: ['ignore', 'ignore', log],
  });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const match = /"msg":"listening".*"port":(\d+)/.exec(readFileSync(logPath, 'utf8'));
    if (match) {
      return { port: Number(match[1]), url: `http://127.0.0.1:${match[1]}`, stop: () => stopChild(child, logPath) };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('pledged serve did not start:\n' + readFileSync(logPath, 'utf8'));
}

// Stops a child with SIGTERM and resolves to its exit code; rejects when a sanitizer
// build of it reported something in its log.
async function stopChild(child, logPath) {
  const code = await new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (exitCode) => resolve(exitCode));
    child.kill('SIGTERM');
  });
  const text = readFileSync(logPath, 'utf8');
  const finding = sanitizerFindings.find((f) => text.includes(f));
  if (finding) throw new Error(`sanitizer report in ${logPath}:\n${text.slice(text.indexOf(finding), text.indexOf(finding) + 4000)}`);
  return code;
}

// A news site on its own origin that embeds the banner with one script tag.
export async function startHostPage(serviceUrl, port) {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>The Daily Example</title></head>
<body><h1>The Daily Example</h1><p>Today's news.</p>
<script src="${serviceUrl}/embed/eoy-2026.js" data-refresh-seconds="15"></script></body></html>`);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((resolve) => server.close(resolve)) };
}

export async function reservePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.PLEDGED_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// The local Stripe stand-in (tools/stripe-standin, test/demo only) on a free port.
export async function startStandin(env) {
  const standinBinary = process.env.PLEDGED_STANDIN_BINARY || path.join(path.dirname(binary), 'stripe-standin');
  const logPath = path.join(logDir, `standin-e2e-${randomBytes(4).toString('hex')}.log`);
  const log = openSync(logPath, 'a');
  const child = spawn(standinBinary, [], {
    env: childEnv({ STANDIN_LISTEN: '127.0.0.1:0', ...env }),
    stdio: ['ignore', 'ignore', log],
  });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const match = /"msg":"listening".*"port":(\d+)/.exec(readFileSync(logPath, 'utf8'));
    if (match) return { url: `http://127.0.0.1:${match[1]}`, stop: () => stopChild(child, logPath) };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('the Stripe stand-in did not start:\n' + readFileSync(logPath, 'utf8'));
}

// Keyboard only: presses Tab until the focused element matches `selector` (fails after
// `limit` presses), then checks that the focus is visible (an outline of at least 2 px).
export async function tabTo(page, selector, limit = 40) {
  for (let presses = 0; presses < limit; ++presses) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate((wanted) => {
      const element = document.activeElement;
      if (!element || !element.matches(wanted)) return null;
      const style = getComputedStyle(element);
      return { outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    }, selector);
    if (focus) {
      if (focus.outline === 'none' || focus.width < 2) throw new Error(`focus on ${selector} is not visible`);
      return;
    }
  }
  throw new Error(`Tab never reached ${selector}`);
}

// A real SMTP server on loopback (tools/smtp-capture) keeping each message as JSON in a
// folder of its own (donor addresses: never one the log audit reads).
export async function startSmtpCapture() {
  const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const folder = mkdtempSync(path.join(os.tmpdir(), 'pledged-e2e-smtp-'));
  const script = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../tools/smtp-capture/smtp_capture.py');
  const child = spawn('python3', [script, '--dir', path.join(folder, 'mail'), '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening (\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error('smtp_capture.py exited before listening')));
  });
  const messages = () => {
    let names = [];
    try { names = readdirSync(path.join(folder, 'mail')).filter((n) => n.endsWith('.json')).sort(); } catch { /* none yet */ }
    return names.map((n) => JSON.parse(readFileSync(path.join(folder, 'mail', n), 'utf8')));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    // Resolves to the first message `matches` accepts, waiting up to `within` ms.
    async waitFor(matches, within = 30000) {
      const deadline = Date.now() + within;
      while (Date.now() < deadline) {
        const found = messages().find(matches);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('no such email arrived');
    },
    stop: async () => {
      child.kill('SIGTERM');
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
