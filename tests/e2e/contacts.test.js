'use strict';
// Contacts and paper (issue 5, items 4 and 5): a nurse finds a municipality's
// switchboard by name, typed with and without å/ä/ö, and by number; opens
// her unit's printable phone list and prints it to one A4 page; and the
// contact pages and the printable routine page pass axe-core. Demo data only.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('contacts');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** Type into the search field and submit the (GET) search form. */
async function search(page, query) {
  await page.getByLabel('Sök kontakt').fill(query);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Sök', exact: true }).click()]);
  assert.equal(h.pathOf(page.url()), '/contacts');
  assert.equal(new URL(page.url()).searchParams.get('q'), query, 'the query is in the address, so it can be bookmarked');
}

/** The result items (one per contact). */
function results(page) {
  return page.locator('ul.contacts > li');
}

test('a nurse finds a municipality by name with and without å/ä/ö, and its switchboard number', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    // From the navigation.
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Telefonlista' }).click()]);
    assert.equal(h.pathOf(page.url()), '/contacts');
    assert.equal(await page.locator('h1').innerText(), 'Telefonlista och kontakter');

    for (const [query, name, number, tel] of [
      ['Ånge', 'Ånge kommun, växel', '0690-25 01 00', 'tel:+46690250100'],
      ['Ange', 'Ånge kommun, växel', '0690-25 01 00', 'tel:+46690250100'],
      ['Örnsköldsvik kommun', 'Örnsköldsviks kommun, växel', '0660-880 00', 'tel:+4666088000'],
      ['ornskoldsvik kommun', 'Örnsköldsviks kommun, växel', '0660-880 00', 'tel:+4666088000'],
      ['harnosand', 'Härnösands kommun, växel', '0611-34 80 00', 'tel:+46611348000'],
    ]) {
      await search(page, query);
      const first = results(page).first();
      const text = (await first.innerText()).replace(/\s+/g, ' ');
      assert.ok(text.includes(name), `"${query}": the first result is ${name}, got: ${text}`);
      const link = first.getByRole('link', { name: number, exact: true });
      assert.equal(await link.count(), 1, `"${query}": the switchboard number ${number} is a link`);
      assert.equal(await link.getAttribute('href'), tel, `"${query}": a tel: link`);
      assert.ok(text.includes('växel') || text.includes('Växel'), `"${query}": says it is the switchboard`);
      assert.ok(text.includes('Källa: 001'), `"${query}": cites seed 001`);
      // The group heading names the region.
      const group = page.locator('section.contact-group').first();
      assert.equal(await group.locator('h3').innerText(), 'Region Västernorrland');
    }

    // With å only Ånge; the search also finds a number typed without spaces.
    await search(page, 'Ånge');
    assert.equal(await results(page).count(), 1, 'written with å, only Ånge kommun');
    await search(page, '061180000');
    const all = await h.bodyText(page);
    assert.ok(all.includes('Region Västernorrland, växel'), 'the region switchboard by its digits');
    // The one way in: the needs assessor via the switchboard.
    await search(page, 'en väg in');
    const rule = (await results(page).first().innerText()).replace(/\s+/g, ' ');
    assert.ok(rule.includes('biståndshandläggare') && rule.includes('växel'), rule);
    // Nothing found says so.
    await search(page, 'Atlantis');
    assert.ok((await h.bodyText(page)).includes('Inga träffar'));
  } finally {
    await context.close();
  }
});

test('the printable phone list of the nurse\'s unit fits one A4 page', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    await page.goto('/contacts');
    // The unit is preselected: the nurse's own ward.
    const unit = page.getByLabel('Enhet');
    assert.equal(await unit.inputValue(), 'rvn-sundsvall-avd-medicin-3');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Visa telefonlistan' }).click()]);
    assert.equal(h.pathOf(page.url()), '/contacts/print');
    assert.equal(await page.locator('h1').innerText(), 'Telefonlista vid driftstopp');
    const text = await h.bodyText(page);
    for (const want of [
      'Medicinavdelning 3, Sundsvalls sjukhus',
      'Region Västernorrland, växel',
      '0660 890 70',
      'Kommuner',
      'Timrå kommun, växel',
      '060-16 31 00',
      'En väg in',
      'Primärvård och psykiatrisk öppenvård',
    ]) {
      assert.ok(text.includes(want), `the phone list shows "${want}"`);
    }
    for (const unwanted of ['Västerbotten', 'Enligt Region', 'hemsjukvården']) {
      assert.ok(!text.includes(unwanted), `the printed list never cites another region's routine ("${unwanted}")`);
    }
    assert.equal(await page.locator('nav').count(), 0, 'no navigation on the print page');
    // Printed by the browser (print stylesheet): one A4 page.
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.equal(pages, 1, 'the phone list prints on one A4 page');
    // Another unit by its id: a municipality reaches the region and the hospitals.
    await page.emulateMedia({ media: 'screen' });
    await page.goto('/contacts/print?unit=kommun-timra');
    const k = await h.bodyText(page);
    assert.ok(k.includes('Timrå kommun') && k.includes('Sjukhus') && k.includes('Sundsvalls sjukhus'), k.slice(0, 400));
  } finally {
    await context.close();
  }
});

test('axe-core finds nothing on /contacts, /contacts/print and /routines/elvis', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    for (const path of ['/contacts', '/contacts?q=Ange', '/contacts?q=atlantis', '/contacts/print', '/routines/elvis', '/routines/lifecare-sp?role=inpatient_care']) {
      const r = await page.goto(path);
      assert.equal(r.status(), 200, `GET ${path}`);
      await h.checkA11y(page, path);
    }
    // The routine page: metadata and steps by phase, linked from the systems page.
    await page.goto('/systems');
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: /Rutiner för systemet: ELVIS/ }).click()]);
    assert.equal(h.pathOf(page.url()), '/routines/elvis');
    const text = await h.bodyText(page);
    for (const want of ['Rutin vid driftstopp: ELVIS', 'Fastställd av', 'Före planerat driftstopp', 'Under driftstoppet', 'Beroenden till andra system']) {
      assert.ok(text.includes(want), `the routine page shows "${want}"`);
    }
    // English too.
    await page.goto('/lang/en?next=/contacts');
    assert.equal(await page.locator('h1').innerText(), 'Phone list and contacts');
    await h.checkA11y(page, '/contacts (en)');
  } finally {
    await context.close();
  }
});
