'use strict';
// Wrong password, CSRF protection on POST /outages, and role separation.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('security');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

function outageForm(extra = {}) {
  return {
    system: 'melior',
    kind: 'unplanned',
    scope: 'region',
    start: h.minutesFromNow(-10),
    expected_end: h.minutesFromNow(50),
    notice: `E2E CSRF-försök ${Date.now()}`,
    ...extra,
  };
}

test('wrong password shows the login page again with an error (401)', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    const response = await h.login(page, 'demo-it', 'fel-lösenord');
    assert.equal(response.status(), 401, 'POST /login with a wrong password answers 401');
    assert.ok((await h.bodyText(page)).includes('Fel användarnamn eller lösenord'), 'error text shown');
    assert.equal(await page.getByLabel('Användarnamn').count(), 1, 'the login form is shown again');
    assert.equal(await page.getByLabel('Lösenord').count(), 1);
    // Still not logged in.
    await page.goto('/');
    assert.equal(h.pathOf(page.url()), '/login', 'not logged in after a wrong password');
  } finally {
    await context.close();
  }
});

test('POST /outages without csrf is refused with 403 and stores nothing', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-it');
    assert.equal(h.pathOf(page.url()), '/');
    const idsBefore = await h.outageIdsOnPage(page);
    // Same-origin headers, as a browser would send; only the csrf field differs
    // between the refused requests and the accepted control request below.
    const headers = { Origin: server.url, Referer: `${server.url}/outages/new` };

    const form = outageForm();
    const noCsrf = await page.request.post('/outages', { form, headers, maxRedirects: 0 });
    assert.equal(noCsrf.status(), 403, 'POST /outages with a session cookie but no csrf field answers 403');

    const forged = await page.request.post('/outages', {
      form: { ...form, csrf: 'forged-token' },
      headers,
      maxRedirects: 0,
    });
    assert.ok(forged.status() >= 400, `POST /outages with a forged csrf token is refused, got ${forged.status()}`);

    await page.goto('/');
    assert.deepEqual(await h.outageIdsOnPage(page), idsBefore, 'the status page lists no extra outage');
    assert.ok(!(await page.content()).includes(form.notice), 'the refused notice is stored nowhere visible');

    // Control: the same request with the page's csrf token is accepted, so the
    // 403 above was the csrf check and not a broken session or form.
    await page.goto('/outages/new');
    const token = await h.csrfToken(page);
    const accepted = await page.request.post('/outages', {
      form: { ...outageForm(), csrf: token },
      headers,
      maxRedirects: 0,
    });
    assert.equal(accepted.status(), 303, 'the same POST with the csrf token is accepted');
    await page.goto('/');
    assert.equal((await h.outageIdsOnPage(page)).length, idsBefore.length + 1, 'control outage is listed');
  } finally {
    await context.close();
  }
});

test('a clinician may not declare outages', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    assert.equal(h.pathOf(page.url()), '/');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Mitt arbete', 'a clinician lands on her work');
    assert.equal(await page.getByRole('link', { name: 'Registrera avbrott' }).count(), 0, 'no "Registrera avbrott" link');
    const idsBefore = await h.outageIdsOnPage(page);
    const token = await h.csrfToken(page); // from the header's logout form
    const form = outageForm({ system: 'elvis', notice: `E2E otillåtet ${Date.now()}` });
    const response = await page.request.post('/outages', {
      form: { ...form, csrf: token },
      headers: { Origin: server.url, Referer: `${server.url}/` },
      maxRedirects: 0,
    });
    assert.ok(response.status() >= 400, `clinician POST /outages is refused, got ${response.status()}`);
    await page.goto('/');
    assert.deepEqual(await h.outageIdsOnPage(page), idsBefore, 'nothing was stored');
  } finally {
    await context.close();
  }
});

test('the language switch never redirects to another site', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const origin = new URL(server.url).origin;
    for (const next of ['https://example.invalid/', '//example.invalid/', '/\\example.invalid/', '/%2F%2Fexample.invalid/']) {
      const response = await context.request.get(`/lang/en?next=${encodeURIComponent(next)}`, { maxRedirects: 0 });
      assert.ok(response.status() >= 300 && response.status() < 400, `/lang/en redirects (next=${next}), got ${response.status()}`);
      const location = response.headers()['location'];
      assert.ok(location, `/lang/en sends a Location (next=${next})`);
      assert.equal(new URL(location, server.url).origin, origin, `next=${next} stays on the site, Location: ${location}`);
    }
  } finally {
    await context.close();
  }
});
