'use strict';
// Notification plans you can test (issue 11, items 5 and 6): IT tries the
// notification plan for Melior stopping unplanned on Midsummer Eve at 10:00
// for 45 minutes ("Provkör utskicksplanen", linked from the systems page),
// sees every message with its due time, recipients, channel, rule and seed
// sentence, and bad input is answered at the field. A private care provider
// without an account opens the public outage page and the routine from the
// links Reserv sends. axe-core 0 violations; no horizontal scrolling at 360 px.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('notification-plan');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function noHorizontalScroll(page, label) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${label}: no horizontal scrolling at 360 px (${scroll} > ${client})`);
}

async function tryPlan(page, { system, kind, start, expectedEnd = '', declaredAt = '', restoredAt = '' }) {
  if (system) await page.getByLabel('System').selectOption({ label: system });
  if (kind) await page.getByRole('radio', { name: kind, exact: true }).check();
  await page.getByLabel('Start', { exact: true }).fill(start);
  await page.getByLabel('Beräknat slut (valfritt)').fill(expectedEnd);
  await page.getByLabel('Registreras (valfritt)').fill(declaredAt);
  await page.getByLabel('Åter i drift (valfritt)').fill(restoredAt);
  const [response] = await Promise.all([
    page.waitForResponse((r) => h.pathOf(r.url()) === '/notifications/plan'),
    page.waitForEvent('load'),
    page.getByRole('button', { name: 'Visa planen' }).click(),
  ]);
  return response;
}

test('IT tries the plan for Melior on Midsummer Eve, and bad input is answered at the field', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { viewport: { width: 360, height: 800 } });
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-it');
    await page.goto('/systems');
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Provkör utskicksplanen' }).click()]);
    assert.equal(h.pathOf(page.url()), '/notifications/plan');
    assert.equal(await page.locator('h1').innerText(), 'Provkör utskicksplanen');
    // Required choices start empty.
    assert.equal(await page.getByLabel('System').inputValue(), '');
    assert.equal(await page.getByRole('radio', { checked: true }).count(), 0);
    await h.checkA11y(page, 'the empty form');
    await noHorizontalScroll(page, 'the empty form');

    const response = await tryPlan(page, {
      system: 'Melior', kind: 'Oplanerat', start: '2026-06-19 10:00', expectedEnd: '2026-06-19 10:45',
    });
    assert.equal(response.status(), 200);
    const messages = page.locator('li.trial-message');
    assert.equal(await messages.count(), 7, 'Plexus, three SMS, Samverkanswebben and two phone tasks');
    const text = await h.bodyText(page);
    assert.ok(text.includes('2026-06-19 10:00 (UTC 2026-06-19 08:00) – jourtid (Midsommarafton)'), text);
    assert.ok(text.includes('Registreras 2026-06-19 10:00 (UTC 2026-06-19 08:00) (antaget)'), text);
    const task = messages.filter({ hasText: 'Ringuppdrag' }).first();
    const taskText = (await task.innerText()).replace(/\s+/g, ' ');
    assert.ok(taskText.includes('Akutmottagningar'), taskText);
    assert.ok(taskText.includes('Ring akutmottagningar och informera'), taskText);
    assert.ok(taskText.includes('Oplanerade avbrott som beräknas pågå längre än 30 minuter; när avbrottet registreras; jourtid'), taskText);
    assert.ok(taskText.includes('003 §4.2: Jourtid, övrig tid'), taskText);
    for (const internal of ['unplanned-phone-emergency', 'emergency-departments', 'phone_task', '003-gavleborg']) {
      assert.ok(!text.includes(internal), `no internal id ${internal} on the page`);
    }
    // The answer has an address (a GET form), so it can be shared.
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('system'), 'melior');
    await h.checkA11y(page, 'the plan');
    await noHorizontalScroll(page, 'the plan');

    // The same stop on an ordinary Friday in office hours: nobody is phoned.
    await tryPlan(page, { start: '2026-06-12 10:00', expectedEnd: '2026-06-12 10:45' });
    assert.equal(await messages.count(), 5);
    assert.equal(await messages.filter({ hasText: 'Ringuppdrag' }).count(), 0);

    // Bad input: a Swedish message at the field, 422, no plan.
    for (const [input, field, message] of [
      [{ start: '2026-06-19 10:00', expectedEnd: '2026-06-19 09:00' }, 'expected_end', 'måste vara efter starttiden'],
      [{ start: '2026-03-29 02:30' }, 'start', 'finns inte i svensk tid'],
      [{ start: '2026-06-31 10:00' }, 'start', 'ogiltigt datum'],
      [{ start: '2026-06-19 10:00', declaredAt: '2026-06-19 09:00' }, 'declared_at', 'oplanerat avbrott registreras när det har börjat'],
    ]) {
      const r = await tryPlan(page, input);
      assert.equal(r.status(), 422, JSON.stringify(input));
      const at = page.locator(`#e-${field}`);
      assert.ok((await at.innerText()).includes(message), `${JSON.stringify(input)}: ${await at.innerText()}`);
      assert.equal(await page.locator(`#f-${field}`).getAttribute('aria-invalid'), 'true');
      assert.equal(await messages.count(), 0, 'no plan with bad input');
    }
    await h.checkA11y(page, 'the form with an error');
    await noHorizontalScroll(page, 'the form with an error');
  } finally {
    await context.close();
  }
});

test('a clinician cannot try the plan; a reader without an account opens the public outage page and the routine', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const staff = await h.newContext(browser, server.url);
  const outsider = await h.newContext(browser, server.url, { viewport: { width: 360, height: 800 } });
  try {
    const page = await staff.newPage();
    await h.login(page, 'demo-clinician');
    const r = await page.goto('/notifications/plan');
    assert.equal(r.status(), 403);
    // The demo's ongoing outage, from the public status page.
    const anon = await outsider.newPage();
    await anon.goto('/status');
    const link = anon.locator('table a[href^="/status/outages/"]').first();
    const name = await link.innerText();
    await Promise.all([anon.waitForEvent('load'), link.click()]);
    assert.match(h.pathOf(anon.url()), /^\/status\/outages\/[0-9a-f-]{36}$/);
    assert.equal(await anon.locator('h1').innerText(), `Driftinformation: ${name}`);
    const text = await h.bodyText(anon);
    assert.ok(text.includes('Sidan innehåller inga patientuppgifter'), text);
    assert.ok(!/\d{8}-\d{4}/.test(text), 'no personnummer on the public page');
    assert.equal(await anon.getByRole('link', { name: 'Avbrottets sida i Reserv (inloggning)' }).count(), 0);
    await h.checkA11y(anon, 'the public outage page');
    await noHorizontalScroll(anon, 'the public outage page');
    await Promise.all([anon.waitForEvent('load'), anon.getByRole('link', { name: 'Driftstoppsrutinen för systemet' }).click()]);
    assert.match(h.pathOf(anon.url()), /^\/routines\/[a-z0-9-]+$/, 'the routine opens without a login');
    assert.ok((await anon.locator('h1').innerText()).length > 0);
    await h.checkA11y(anon, 'the public routine page');
    await noHorizontalScroll(anon, 'the public routine page');
  } finally {
    await staff.close();
    await outsider.close();
  }
});
