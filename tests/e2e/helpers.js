'use strict';
// Shared helpers for Reserv's end-to-end tests: start the real server binary,
// launch Debian's chromium through playwright-core, log in, check pages with
// axe-core. No test framework besides node:test / node:assert.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
// The time zone the tests (and the server process) reason in. Swedish health
// care: Europe/Stockholm unless overridden.
const TIME_ZONE = process.env.RESERV_E2E_TZ || 'Europe/Stockholm';
const PASSWORD = 'reserv-demo';
const STARTUP_TIMEOUT_MS = 60_000;
// Guard against hangs only; nothing asserts on speed.
const TEST_TIMEOUT_MS = 240_000;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function serverBinary() {
  const configured = process.env.RESERV_BIN || 'target/debug/reserv';
  return path.isAbsolute(configured) ? configured : path.join(REPO_ROOT, configured);
}

/**
 * Start `reserv serve --demo --listen 127.0.0.1:0 --data <fresh temp dir>` and
 * wait for the line "Reserv lyssnar på http://127.0.0.1:PORT".
 * The server's output is also written to tests/e2e/test-results/<name>.log.
 * Returns { url, dataDir, logFile, output(), stop() }.
 */
async function startServer(name = 'server') {
  const bin = serverBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(`Reserv binary not found at ${bin}: run \`cargo build -p reserv\` first (or set RESERV_BIN)`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reserv-e2e-'));
  const child = spawn(bin, ['serve', '--demo', '--listen', '127.0.0.1:0', '--data', dataDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, TZ: TIME_ZONE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const resultsDir = path.join(__dirname, 'test-results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const logFile = path.join(resultsDir, `${name}.log`);
  const log = fs.createWriteStream(logFile);
  let output = '';
  let stopped = false;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    let stdoutBuf = '';
    const timer = setTimeout(() => {
      reject(new Error(`server did not print its URL within ${STARTUP_TIMEOUT_MS / 1000} s; output:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    // Keep draining both pipes for the life of the process.
    child.stdout.on('data', (chunk) => {
      output += chunk;
      log.write(chunk);
      stdoutBuf += chunk;
      const m = /Reserv lyssnar på (http:\/\/[^\s]+)/.exec(stdoutBuf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/+$/, ''));
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      log.write(chunk);
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}); output:\n${output}`));
    });
  }).catch(async (err) => {
    stopped = true;
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });

  if (new URL(url).hostname !== '127.0.0.1') {
    stopped = true;
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`server must listen on 127.0.0.1 only, printed ${url}`);
  }

  exited.then(({ code, signal }) => {
    if (!stopped) {
      console.error(`reserv server exited during the tests (code ${code}, signal ${signal}); output:\n${output.slice(-4000)}`);
    }
  });

  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    log.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { url, dataDir, logFile, output: () => output, stop };
}

async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A fresh browser context (own cookies) pointed at the server. */
async function newContext(browser, baseURL, options = {}) {
  const context = await browser.newContext({
    baseURL,
    bypassCSP: true, // the app's strict CSP would block the injected axe script
    locale: 'sv-SE',
    timezoneId: TIME_ZONE,
    ...options,
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  return context;
}

function pathOf(url) {
  return new URL(url).pathname;
}

/**
 * Click a submit button and wait for the resulting page to load. Returns the
 * response to the POST itself (e.g. a 303 redirect, a 401 or a 422 page).
 */
async function submitForm(page, button, postPath) {
  const responseP = page.waitForResponse(
    (r) => r.request().method() === 'POST' && pathOf(r.url()) === postPath,
  );
  const loadP = page.waitForEvent('load');
  await button.click();
  const [response] = await Promise.all([responseP, loadP]);
  return response;
}

/** Log in through the real form; returns the POST /login response. */
async function login(page, username, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Användarnamn').fill(username);
  await page.getByLabel('Lösenord').fill(password);
  return submitForm(page, page.getByRole('button', { name: 'Logga in' }), '/login');
}

async function logout(page) {
  return submitForm(page, page.getByRole('button', { name: 'Logga ut', exact: true }), '/logout');
}

/** "YYYY-MM-DDTHH:MM" for a datetime-local input, in TIME_ZONE. */
function localDateTime(date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

function minutesFromNow(minutes) {
  return localDateTime(new Date(Date.now() + minutes * 60_000));
}

/**
 * Fill the "Registrera avbrott" form on /outages/new (navigating there first)
 * and submit it. Returns the response to POST /outages. Fields are found by
 * their Swedish labels; with byName they are found by name (any language).
 */
async function declareOutage(page, { system, kind, scope, start, expectedEnd, notice, byName = false, confirmSameSystem = false }) {
  await page.goto('/outages/new');
  const field = (label, name) => (byName ? page.locator(`[name="${name}"]`) : page.getByLabel(label));
  await field('System', 'system').selectOption(system);
  await page.locator(`input[type="radio"][name="kind"][value="${kind}"]`).check();
  await field('Berörda huvudmän', 'scope').selectOption(scope);
  await field('Start', 'start').fill(start);
  await field('Beräknat slut', 'expected_end').fill(expectedEnd);
  await field('Driftinformation', 'notice').fill(notice);
  const button = byName
    ? page.locator('form[action="/outages"] [type="submit"]')
    : page.getByRole('button', { name: 'Registrera avbrott' });
  const response = await submitForm(page, button, '/outages');
  // The system already has an ongoing outage: the form asks for a confirmation.
  if (confirmSameSystem && response.status() === 409) {
    await page.locator('input[name="confirm_same_system"]').check();
    return submitForm(page, page.locator('form[action="/outages"] [type="submit"]'), '/outages');
  }
  return response;
}

/**
 * End an outage from its page, finding fields by name (any language): the
 * end form, then the confirmation step. Returns the confirming POST's response.
 */
async function endOutage(page, id, end = minutesFromNow(0)) {
  await page.goto(`/outages/${id}`);
  const form = page.locator(`form[action="/outages/${id}/end"]`);
  await form.locator('[name="end"]').fill(end);
  const first = await submitForm(page, form.locator('[type="submit"]'), `/outages/${id}/end`);
  assert.equal(first.status(), 200, 'the end form first asks for a confirmation');
  const confirm = page.locator(`form[action="/outages/${id}/end"]:has(input[name="confirm"])`);
  return submitForm(page, confirm.locator('[type="submit"]'), `/outages/${id}/end`);
}

/** Log in finding fields by name (any language). */
async function loginByName(page, username, password = PASSWORD) {
  await page.goto('/login');
  const form = page.locator('form[action="/login"]');
  await form.locator('[name="username"]').fill(username);
  await form.locator('[name="password"]').fill(password);
  return submitForm(page, form.locator('[type="submit"]'), '/login');
}

/** The outage id from a /outages/{id} URL, or null. */
function outageIdFromUrl(url) {
  const m = /^\/outages\/([^/]+)$/.exec(pathOf(url));
  return m && m[1] !== 'new' ? m[1] : null;
}

/** Ids of all outages linked from the current page (links to /outages/{id}). */
async function outageIdsOnPage(page) {
  const paths = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.pathname));
  const ids = paths
    .map((p) => /^\/outages\/([^/]+)$/.exec(p))
    .filter((m) => m && m[1] !== 'new')
    .map((m) => m[1]);
  return [...new Set(ids)];
}

/** The hidden csrf token of the first form on the page that has one. */
async function csrfToken(page) {
  const token = await page.locator('input[type="hidden"][name="csrf"]').first().getAttribute('value');
  assert.ok(token, 'page has a hidden csrf input with a value');
  return token;
}

function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${JSON.stringify(n.target)}: ${(n.failureSummary || '').replace(/\s+/g, ' ').trim()}\n      ${n.html}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

/** Inject axe-core and assert zero WCAG 2.0/2.1 A/AA violations. */
async function checkA11y(page, label = page.url()) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    AXE_TAGS,
  );
  assert.ok(result.passes.length > 0, `axe checked nothing on ${label}: is the page empty?`);
  if (result.violations.length > 0) {
    const report = formatViolations(result.violations);
    assert.fail(`${result.violations.length} axe violation(s) on ${label}:\n${report}`);
  }
  return result;
}

/** Visible text of the page body, whitespace-collapsed. */
async function bodyText(page) {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ');
}

module.exports = {
  AXE_TAGS,
  PASSWORD,
  REPO_ROOT,
  TEST_TIMEOUT_MS,
  TIME_ZONE,
  bodyText,
  checkA11y,
  csrfToken,
  declareOutage,
  endOutage,
  launchBrowser,
  localDateTime,
  login,
  loginByName,
  logout,
  minutesFromNow,
  newContext,
  outageIdFromUrl,
  outageIdsOnPage,
  pathOf,
  startServer,
  submitForm,
};
