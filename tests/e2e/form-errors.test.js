'use strict';
// The declare form re-renders with 422 and a Swedish message naming the field.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('form-errors');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

function count(haystack, needle) {
  return haystack.split(needle).length - 1;
}

test('expected end before start: the form again, 422, message about "Beräknat slut"', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-it');
    const idsBefore = await h.outageIdsOnPage(page);

    await page.goto('/outages/new');
    // "Beräknat slut" is also the field's label: the error page must mention it more often.
    const mentionsOnEmptyForm = count(await h.bodyText(page), 'Beräknat slut');

    const notice = `E2E felaktigt formulär ${Date.now()}`;
    const response = await h.declareOutage(page, {
      system: 'elvis',
      kind: 'planned',
      scope: 'municipalities',
      start: h.minutesFromNow(120),
      expectedEnd: h.minutesFromNow(60),
      notice,
    });
    assert.equal(response.status(), 422, 'POST /outages with end before start answers 422');
    assert.equal(h.pathOf(page.url()), '/outages', 'the response is the re-rendered form, not a redirect');

    // The form is shown again...
    assert.equal(await page.locator('form[method="post"][action="/outages"]').count(), 1, 'the declare form is shown again');
    assert.equal(await page.getByLabel('System').count(), 1);
    assert.equal(await page.getByLabel('Beräknat slut').count(), 1);
    // ...with an error message that names the field.
    const text = await h.bodyText(page);
    assert.ok(
      count(text, 'Beräknat slut') > mentionsOnEmptyForm,
      `an error message mentioning "Beräknat slut" is shown (mentions: ${count(text, 'Beräknat slut')} vs ${mentionsOnEmptyForm} on the empty form)`,
    );

    // Nothing was stored.
    await page.goto('/');
    assert.deepEqual(await h.outageIdsOnPage(page), idsBefore, 'no outage was stored');
    assert.ok(!(await page.content()).includes(notice));
  } finally {
    await context.close();
  }
});
