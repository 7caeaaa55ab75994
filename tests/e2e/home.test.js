'use strict';
// A clinician lands on their work (issue 12, items 4 and 11): the banner's
// counts, the gaps the unit owes and awaits with discharge-related first,
// the counterpart's phone number and a working "Logga samtal"; /gaps shows a
// municipality only what it owes or awaits; IT keeps the status page; the
// patient list spells warnings out; contacts put the own region first and
// never say a word twice. axe-core on the new home page in both languages.
// Demo data only.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('home');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// The demo patient discharged with planning information unconfirmed.
const DISCHARGED = '19450117-9834';
// The order of the severity classes, the most urgent first.
const ORDER = ['discharged-unconfirmed', 'discharged', 'ready', 'planned', 'admitted'];

/** The severity rank of each work line (or gaps row) of a list, in page order. */
async function ranks(locator) {
  const classes = await locator.evaluateAll((els) => els.map((e) => e.className));
  return classes.map((c) => {
    const m = /sev-([a-z-]+)/.exec(c);
    assert.ok(m, `a severity class on "${c}"`);
    const rank = ORDER.indexOf(m[1]);
    assert.ok(rank >= 0, `a known severity: ${m[1]}`);
    return rank;
  });
}

function nonDecreasing(xs) {
  return xs.every((x, i) => i === 0 || xs[i - 1] <= x);
}

async function withPage(fn) {
  const context = await h.newContext(browser, server.url);
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

test('a ward nurse lands on her work: counts, owed and awaited with discharge-related first, the number and "Logga samtal"', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    await h.login(page, 'demo-clinician');
    assert.equal(h.pathOf(page.url()), '/', 'after login the nurse is on /');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Mitt arbete');

    // The banner with the counts that matter, plural and singular right.
    const banner = (await page.locator('.work-banner').innerText()).trim();
    const m = /^(\d+) (patient saknar|patienter saknar) information · 1 utskriven utan bekräftelse$/.exec(banner);
    assert.ok(m, `banner: ${banner}`);
    const n = Number(m[1]);
    assert.equal(m[2], n === 1 ? 'patient saknar' : 'patienter saknar');

    const owed = page.locator('section[aria-labelledby="h-owed"] li.work-item');
    const awaited = page.locator('section[aria-labelledby="h-awaited"] li.work-item');
    assert.ok(await owed.count() >= 1, 'the ward owes something');
    assert.ok(await awaited.count() >= 1, 'the ward awaits something');
    // The number of patients in the banner is the number of patients listed.
    const patients = new Set(
      await page.locator('li.work-item .work-head a strong').evaluateAll((els) => els.map((e) => e.textContent.trim())),
    );
    assert.equal(patients.size, n, `the banner counts the patients listed: ${[...patients]}`);

    // Discharge-related first: the discharged patient with unconfirmed information heads what the ward owes.
    const first = (await owed.first().innerText()).replace(/\s+/g, ' ');
    assert.ok(first.includes(DISCHARGED) && first.includes('Utskriven utan bekräftelse'), `first owed: ${first}`);
    assert.ok(nonDecreasing(await ranks(owed)), 'owed: the most urgent first');
    assert.ok(nonDecreasing(await ranks(awaited)), 'awaited: the most urgent first');
    for (const line of await owed.allInnerTexts()) {
      assert.ok(/Avdelningen →/.test(line), `owed lines are the ward's to give: ${line}`);
    }
    for (const line of await awaited.allInnerTexts()) {
      assert.ok(/→ Avdelningen/.test(line), `awaited lines are for the ward: ${line}`);
    }

    // The counterpart's phone number from the contacts: Timrå's switchboard.
    const timra = awaited.filter({ hasText: 'Timrå kommun' }).first();
    assert.equal(await timra.count(), 1, 'the ward waits for Timrå kommun');
    const tel = timra.getByRole('link', { name: '060-16 31 00', exact: true });
    assert.equal(await tel.getAttribute('href'), 'tel:+4660163100');

    // The outages follow the work.
    const order = await page.evaluate(() => {
      const at = (sel) => [...document.querySelectorAll('main *')].indexOf(document.querySelector(sel));
      return { awaited: at('#h-awaited'), ongoing: at('#h-ongoing') };
    });
    assert.ok(order.awaited >= 0 && order.ongoing > order.awaited, 'the status cards stay, below the work');
    assert.ok(await page.locator('article.outage.ongoing').count() >= 1, 'the ongoing outage is shown');

    // "Logga samtal" leads to the episode's call form.
    const log = owed.first().getByRole('link', { name: /^Logga samtal/ });
    const href = await log.getAttribute('href');
    assert.match(href, /^\/episodes\/[0-9a-f-]+#entry-form$/);
    await Promise.all([page.waitForEvent('load'), log.click()]);
    assert.match(h.pathOf(page.url()), /^\/episodes\/[0-9a-f-]+$/);
    assert.ok((await h.bodyText(page)).includes(DISCHARGED), 'the patient of the line');
    assert.equal(await page.locator('form#entry-form').count(), 1, 'the call form is on the page');
  });
});

test('axe-core finds nothing on the new home page in Swedish and English', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    await h.login(page, 'demo-clinician');
    await h.checkA11y(page, '/ (sv)');
    await page.goto('/lang/en');
    await page.goto('/');
    assert.equal((await page.locator('h1').innerText()).trim(), 'My work');
    const banner = (await page.locator('.work-banner').innerText()).trim();
    assert.match(banner, /^\d+ patients? missing information · 1 discharged without confirmation$/);
    assert.ok((await h.bodyText(page)).includes('Log call'));
    await h.checkA11y(page, '/ (en)');
    await page.goto('/gaps');
    await h.checkA11y(page, '/gaps (en)');
    await page.goto('/lang/sv');
  });
});

test('/gaps: a municipality sees only what it owes or awaits, the most urgent first', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    await h.login(page, 'demo-kommun');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Mitt arbete', 'a municipality works with patients too');
    await page.goto('/gaps');
    const rows = page.locator('table.gaps tbody tr');
    assert.ok(await rows.count() >= 1, 'the municipality has open items');
    for (const text of await rows.allInnerTexts()) {
      const t = text.replace(/\s+/g, ' ');
      assert.ok(t.includes('Kommunen'), `every row concerns the municipality: ${t}`);
      assert.ok(!/Hälsocentralen → Avdelningen|Avdelningen → Hälsocentralen/.test(t), `no primary care ↔ ward item: ${t}`);
    }
    assert.ok(nonDecreasing(await ranks(rows)), 'sorted by severity');
    await h.checkA11y(page, '/gaps (municipality)');

    // The ward sees the primary care ↔ ward items the municipality does not.
    const ward = await page.context().browser().newContext({ baseURL: server.url, locale: 'sv-SE' });
    try {
      const wp = await ward.newPage();
      await h.login(wp, 'demo-clinician');
      await wp.goto('/gaps');
      const text = await h.bodyText(wp);
      assert.ok(text.includes('Avdelningen → Hälsocentralen'), 'the ward owes primary care');
      assert.ok(nonDecreasing(await ranks(wp.locator('table.gaps tbody tr'))), 'the ward\'s list by severity');
      const first = (await wp.locator('table.gaps tbody tr').first().innerText()).replace(/\s+/g, ' ');
      assert.ok(first.includes(DISCHARGED) && first.includes('Utskriven utan bekräftelse'), `first row: ${first}`);
    } finally {
      await ward.close();
    }
  });
});

test('IT still lands on the status page', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    await h.login(page, 'demo-it');
    assert.equal(h.pathOf(page.url()), '/');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Driftläge');
    assert.equal(await page.locator('.work-list, .work-banner').count(), 0, 'no work lists for IT');
    assert.ok(await page.locator('article.outage').count() >= 1, 'the status cards');
  });
});

test('the patient list spells warnings out', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    await h.login(page, 'demo-clinician');
    await page.goto('/episodes');
    const row = page.locator('table tbody tr', { hasText: DISCHARGED });
    assert.equal(await row.count(), 1);
    const flag = row.locator('.flag');
    assert.equal((await flag.innerText()).trim(), 'Utskriven utan bekräftelse');
    const texts = await page.locator('table .flag').allInnerTexts();
    assert.ok(texts.every((t) => t.trim() !== '!'), 'never a lone "!"');
  });
});

test('contacts: the own region first, other regions folded, no word said twice', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    await h.login(page, 'demo-clinician');
    await page.goto('/contacts');
    const groups = page.locator('section.contact-group h3');
    assert.equal((await groups.first().innerText()).trim(), 'Region Västernorrland', 'the own region first');
    const other = page.locator('details.other-regions');
    assert.equal(await other.count(), 1);
    assert.match((await other.locator('summary').innerText()).trim(), /^Andra regioner \(\d+ träffar\)$/);
    assert.equal(await other.evaluate((d) => d.open), false, 'folded while the own region has hits');
    const folded = await other.locator('section.contact-group h3').allTextContents();
    assert.deepEqual(folded.map((t) => t.trim()).sort(), ['Region Gävleborg', 'Region Västerbotten']);
    assert.equal(
      await page.locator('ul.contacts').first().locator('xpath=ancestor::details').count(),
      0,
      'the own region is not folded',
    );
    // Only another region matches: its group is shown open.
    await page.goto('/contacts?q=beredskap');
    const open = page.locator('details.other-regions');
    assert.equal(await open.evaluate((d) => d.open), true, 'opened when only other regions match');
    assert.match((await open.locator('summary').innerText()).trim(), /^Andra regioner \(1 träff\)$/);
    const text = await h.bodyText(page);
    assert.ok(text.includes('Jourtid, all övrig tid'), 'the hours read once');
    assert.ok(!/jourtid, jourtid/i.test(text), 'no "Jourtid, jourtid"');
    await page.goto('/contacts');
    assert.ok(!/jourtid, jourtid|dagtid, dagtid/i.test(await h.bodyText(page)), 'no duplicated words anywhere');
    await h.checkA11y(page, '/contacts');
  });
});
