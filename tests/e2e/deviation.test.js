'use strict';
// Deviation reports (seed 004: "Skriv avvikelserapport – dels på själva
// haveriet, dels på eventuella tillbud/avvikelser som uppstår p.g.a.
// driftstoppet"): a nurse files an incident report on the demo's ongoing
// Lifecare SP outage through the form, sees it listed, and the page passes
// axe, with and without errors, in Swedish and English.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;
/** The id of the demo's ongoing Lifecare SP outage. */
let outageId;

before(async () => {
  server = await h.startServer('deviation');
  browser = await h.launchBrowser();
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    await page.goto('/');
    const link = page.locator('article.outage.ongoing h3 a', { hasText: 'Lifecare SP' }).first();
    assert.equal(await link.count(), 1, 'setup: the status page shows the ongoing Lifecare SP outage');
    outageId = h.outageIdFromUrl(new URL(await link.getAttribute('href'), server.url).href);
    assert.ok(outageId, 'setup: the outage id');
  } finally {
    await context.close();
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

function deviationsPath() {
  return `/outages/${outageId}/deviations`;
}

/** The rows of the report table. */
function reportRows(page) {
  return page.locator('table.deviations tbody tr');
}

test('a nurse files an incident report on the ongoing Lifecare SP outage and sees it listed', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    const r = await page.goto(deviationsPath());
    assert.equal(r.status(), 200, `GET ${deviationsPath()}`);
    const h1 = await page.locator('h1').innerText();
    assert.ok(h1.includes('Avvikelserapporter') && h1.includes('Lifecare SP'), `<h1> names the page and the system, got "${h1}"`);
    assert.ok((await h.bodyText(page)).includes('Inga avvikelserapporter ännu.'), 'no reports yet');

    // Fill the form by its Swedish labels, as a nurse would.
    await page.getByRole('radio', { name: 'Tillbud eller avvikelse som driftstoppet orsakat' }).check();
    await page.getByLabel('Tidpunkt för händelsen').fill(h.minutesFromNow(-40));
    await page.getByLabel('Kategori').selectOption('medication');
    await page.getByRole('radio', { name: 'Lindrig' }).check();
    await page.getByLabel('Beskrivning av händelsen').fill(
      'E2E: Kvällens läkemedel gavs en timme sent eftersom utdelningslistan inte var utskriven.',
    );
    await page.getByLabel(/Konsekvens för patient eller vård/).fill('Ingen skada.');
    await page.getByLabel(/Vidtagen åtgärd/).fill('Jourhavande läkare kontaktad.');
    await page.getByRole('radio', { name: 'Ja', exact: true }).check();
    await page.getByLabel(/Ärendenummer i avvikelsesystemet/).fill('AV-E2E-1');
    const post = await h.submitForm(page, page.getByRole('button', { name: 'Spara avvikelserapporten' }), deviationsPath());
    assert.equal(post.status(), 303, 'the report is saved and the browser sent back to the list');
    assert.equal(h.pathOf(page.url()), deviationsPath());

    // Listed, signed and correctable by the nurse's unit.
    assert.equal(await reportRows(page).count(), 1, 'one report listed');
    const row = await reportRows(page).first().innerText();
    for (const want of ['Tillbud eller avvikelse som driftstoppet orsakat', 'Läkemedel', 'Lindrig', 'utdelningslistan', 'Demo Sjuksköterska', 'AV-E2E-1']) {
      assert.ok(row.includes(want), `the listed report shows "${want}": ${row}`);
    }
    assert.equal(await reportRows(page).first().getByRole('link', { name: 'Rätta', exact: true }).count(), 1, 'own report: "Rätta"');

    // The print view shows it without the form.
    await page.goto(`${deviationsPath()}/print`);
    assert.ok((await h.bodyText(page)).includes('utdelningslistan'), 'the print view lists the report');
    assert.equal(await page.locator('form#report-form').count(), 0, 'no form on paper');
  } finally {
    await context.close();
  }
});

test('a missing description answers 422 with the field named and the values kept', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    await page.goto(deviationsPath());
    const before = await reportRows(page).count();
    const form = page.locator('form#report-form');
    await form.locator('input[name="subject"][value="incident"]').check();
    await form.locator('[name="category"]').selectOption('care_delay');
    await form.locator('input[name="severity"][value="none"]').check();
    await form.locator('[name="consequence"]').fill('E2E: behållen text');
    // The browser would stop an empty required field; submit past it to test the server.
    await form.evaluate((f) => f.setAttribute('novalidate', ''));
    const r = await h.submitForm(page, form.locator('[type="submit"]'), deviationsPath());
    assert.equal(r.status(), 422);
    const alert = page.getByRole('alert');
    assert.ok((await alert.innerText()).includes('Beskrivning av händelsen'), 'the error names the field');
    assert.equal(await page.locator('[name="consequence"]').inputValue(), 'E2E: behållen text', 'values are kept');
    assert.equal(await page.locator('[name="category"]').inputValue(), 'care_delay');
    assert.equal(await reportRows(page).count(), before, 'nothing was stored');
    await h.checkA11y(page, 'deviation form with errors (422)');
  } finally {
    await context.close();
  }
});

for (const lang of ['sv', 'en']) {
  test(`axe: the deviation pages have no violations (${lang})`, { timeout: h.TEST_TIMEOUT_MS }, async (t) => {
    const context = await h.newContext(browser, server.url);
    try {
      const page = await context.newPage();
      await h.loginByName(page, 'demo-clinician');
      if (lang === 'en') {
        await page.goto('/lang/en');
      }
      for (const [name, path] of [
        ['reports and form', deviationsPath()],
        ['print view', `${deviationsPath()}/print`],
      ]) {
        await t.test(`axe: ${name} [${lang}] (${path})`, async () => {
          const r = await page.goto(path);
          assert.equal(r.status(), 200, `GET ${path}`);
          const htmlLang = await page.locator('html').getAttribute('lang');
          assert.ok(htmlLang && htmlLang.startsWith(lang), `<html lang="${htmlLang}">`);
          await h.checkA11y(page, `${name} [${lang}] (${path})`);
        });
      }
    } finally {
      await context.close();
    }
  });
}
