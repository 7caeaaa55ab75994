'use strict';
// The handover log: patients (care episodes), the calls logged for them during
// an outage, what is still missing, corrections, the print view, the blank
// paper form, and who may see what (chain of care). Demo data only.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

// Demo patients (Skatteverket-style test numbers, never issued to people).
const PATIENT_GAPS = '19410923-9824'; // municipality told of the admission, primary care not
const PATIENT_DISCHARGED = '19450117-9834'; // discharged with planning information unconfirmed
const PATIENT_COMPLETE = '19380412-9819'; // every party told and answered
const PATIENT_RESERVE = 'RES-2026-0001';
const WRONG_CHECK_DIGIT = '19520630-9858';

let server;
let browser;
/** Demo patient number -> episode id, as the ward sees them on /episodes. */
let ids;
/** The id of the ward's demo entry on PATIENT_GAPS (from its "Rätta" link), or null. */
let wardEntryId = null;

before(async () => {
  server = await h.startServer('handover');
  browser = await h.launchBrowser();
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    const response = await page.goto('/episodes');
    assert.equal(response.status(), 200, 'setup: GET /episodes as demo-clinician');
    ids = await episodeIdsOnPage(page);
    for (const p of [PATIENT_GAPS, PATIENT_DISCHARGED, PATIENT_COMPLETE, PATIENT_RESERVE]) {
      assert.ok(ids[p], `setup: /episodes links to the episode of ${p} (found: ${JSON.stringify(ids)})`);
    }
    await page.goto(`/episodes/${ids[PATIENT_GAPS]}`);
    const correct = page.locator('table.log').getByRole('link', { name: 'Rätta', exact: true }).first();
    if (await correct.count()) {
      wardEntryId = new URL(await correct.getAttribute('href'), server.url).searchParams.get('correct');
    }
  } finally {
    await context.close();
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// ---------------------------------------------------------------------------
// Local helpers

/** {patient number (link text) -> episode id} for every /episodes/{id} link on the page. */
async function episodeIdsOnPage(page) {
  const links = await page
    .locator('a[href]')
    .evaluateAll((as) => as.map((a) => ({ path: a.pathname, text: a.textContent.trim() })));
  const result = {};
  for (const { path, text } of links) {
    const m = /^\/episodes\/([^/]+)$/.exec(path);
    if (m && m[1] !== 'new' && text) result[text] = m[1];
  }
  return result;
}

/** The episode id from a /episodes/{id} URL, or null. */
function episodeIdFromUrl(url) {
  const m = /^\/episodes\/([^/]+)$/.exec(h.pathOf(url));
  return m && m[1] !== 'new' ? m[1] : null;
}

/**
 * Submit with the keyboard: focus the submit button and press Enter, then
 * wait for the POST's response and the resulting page. Returns the response
 * to the POST itself (a 303 or a 422 page).
 */
async function submitWithEnter(page, button, postPath) {
  const responseP = page.waitForResponse(
    (r) => r.request().method() === 'POST' && h.pathOf(r.url()) === postPath,
  );
  const loadP = page.waitForEvent('load');
  await button.focus();
  await page.keyboard.press('Enter');
  const [response] = await Promise.all([responseP, loadP]);
  return response;
}

function count(haystack, needle) {
  return haystack.split(needle).length - 1;
}

/**
 * Assert that the current page shows an error message naming `label`: an
 * element with role="alert" mentions it, or the page mentions it more often
 * than `baseline` (the count on the same page without errors).
 */
async function assertErrorNames(page, label, baseline, what) {
  const alerts = await page.getByRole('alert').allInnerTexts();
  const inAlert = alerts.some((t) => t.includes(label));
  const mentions = count(await h.bodyText(page), label);
  assert.ok(
    inAlert || mentions > baseline,
    `${what}: an error message naming "${label}" is shown (alerts: ${JSON.stringify(alerts)}; mentions ${mentions} vs ${baseline} without the error)`,
  );
}

const logRows = (page) => page.locator('table.log tbody tr');

/** The open-gap items naming both `party` and `message` (case-sensitive). */
async function gapItems(page, party, message) {
  const items = await page.locator('ul.gaps li').allInnerTexts();
  return items.filter((t) => t.includes(party) && t.includes(message));
}

/** The header navigation of logged-in pages (the nav that links to /gaps). */
const headerNav = (page) => page.locator('nav').filter({ has: page.locator('a[href="/gaps"]') });

/** The message types by their number on the paper form (1–16). */
const MESSAGE_NUMBERS = {
  admission: 1,
  estimated_discharge_date: 2,
  planning_information: 3,
  discharge_report: 4,
  ready_for_discharge: 5,
  current_services: 6,
  municipality_ready: 7,
  designated_care_contact: 8,
  sip_need: 9,
  sip_initiative: 10,
  sip_invitation: 11,
  sip_meeting_held: 12,
  sip_plan: 13,
  discharge_notice: 14,
  patient_information: 15,
  other: 16,
};

/** Open the list of message checkboxes (a <details>, closed by default). */
async function openMessageList(form) {
  const details = form.locator('details.messages');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

async function uncheckAllMessages(form) {
  await form.locator('input[name="message_numbers"]').fill('');
  await openMessageList(form);
  for (const box of await form.locator('input[type="checkbox"][name="messages"]').all()) {
    if (await box.isChecked()) await box.uncheck();
  }
}

/**
 * Fill the entry form (#entry-form) on the current episode page, using its
 * Swedish labels for the text fields and the values for radios and
 * checkboxes, and submit it with the keyboard. `at` is a local
 * "YYYY-MM-DDTHH:MM" (its date must be one the form offers); without it,
 * the time is now. The first message is ticked in the list, the others are
 * typed by number, so both ways are used.
 */
async function logCall(page, episodeId, { at, org, name, role, direction, messages, comment = '' }) {
  const form = page.locator('form#entry-form');
  assert.equal(await form.count(), 1, 'the episode page has the entry form');
  assert.equal(await form.getAttribute('method'), 'post');
  assert.equal(await form.getAttribute('action'), `/episodes/${episodeId}/entries`);
  const when = at || h.minutesFromNow(0);
  await form.getByLabel('Datum', { exact: true }).selectOption(when.slice(0, 10));
  await form.getByLabel('Klockslag').fill(when.slice(11, 16));
  await form.getByLabel('Organisation').selectOption(org);
  await form.getByLabel('Namn på den du talade med').fill(name);
  await form.getByLabel('Roll').fill(role);
  await form.locator(`input[type="radio"][name="direction"][value="${direction}"]`).check();
  await uncheckAllMessages(form);
  const [first, ...rest] = messages;
  if (first) await form.locator(`input[type="checkbox"][name="messages"][value="${first}"]`).check();
  await form.locator('input[name="message_numbers"]').fill(rest.map((m) => MESSAGE_NUMBERS[m]).join(' '));
  await form.getByLabel('Kommentar').fill(comment);
  const button = form.getByRole('button', { name: 'Spara samtalet' });
  return submitWithEnter(page, button, `/episodes/${episodeId}/entries`);
}

/** The label text of a checkbox in the entry form's list (read even while the list is closed). */
async function messageLabel(page, value) {
  const box = page.locator(`input[type="checkbox"][name="messages"][value="${value}"]`);
  const label = page.locator('form#entry-form label').filter({ has: box });
  return (await label.textContent()).trim();
}

// ---------------------------------------------------------------------------

test('a nurse logs three calls, the gap closes, corrects one, prints the log (no JavaScript)', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    const id = ids[PATIENT_GAPS];
    const episodePath = `/episodes/${id}`;
    const stamp = Date.now().toString(36);
    const A = { name: `E2E Anna Hälsocentral ${stamp}`, role: 'distriktssköterska' };
    const B = { name: `E2E Bertil Kommun ${stamp}`, role: 'biståndshandläggare' };
    const C = { name: `E2E Cecilia Kommun ${stamp}`, role: 'kommunsjuksköterska' };

    // The header nav leads to the patient list and to the missing information.
    const navPatients = headerNav(page).getByRole('link', { name: 'Patienter', exact: true });
    const navGaps = headerNav(page).getByRole('link', { name: 'Saknad information', exact: true });
    assert.equal(await navPatients.count(), 1, 'header nav has a link "Patienter"');
    assert.equal(await navGaps.count(), 1, 'header nav has a link "Saknad information"');
    assert.equal(await navPatients.getAttribute('href'), '/episodes');
    assert.equal(await navGaps.getAttribute('href'), '/gaps');

    // /gaps: the most urgent first; the patient discharged with unconfirmed
    // information comes before the patient admitted two days ago.
    await Promise.all([page.waitForEvent('load'), navGaps.click()]);
    assert.equal(h.pathOf(page.url()), '/gaps');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Saknad information');
    const gapRows = page.locator('table tbody tr');
    assert.ok(await gapRows.count() >= 1, '/gaps lists open gaps in a table');
    const firstRow = (await gapRows.first().innerText()).replace(/\s+/g, ' ');
    assert.ok(
      firstRow.includes(PATIENT_DISCHARGED) && firstRow.includes('Utskriven utan bekräftelse'),
      `the most urgent gap (first row) is for ${PATIENT_DISCHARGED}, discharged unconfirmed; first row: ${firstRow}`,
    );
    const gapsLink = page.locator(`table a[href="${episodePath}"]`).first();
    assert.equal((await gapsLink.innerText()).trim(), PATIENT_GAPS, `${PATIENT_GAPS} is listed too`);

    // /episodes: the list, with the patient number as the link text.
    await Promise.all([page.waitForEvent('load'), navPatients.click()]);
    assert.equal(h.pathOf(page.url()), '/episodes');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Patienter');
    const newLink = page.getByRole('link', { name: 'Registrera vårdtillfälle', exact: true });
    assert.equal(await newLink.count(), 1, 'the ward sees "Registrera vårdtillfälle"');
    assert.equal(await newLink.getAttribute('href'), '/episodes/new');
    const patientLink = page.locator(`table a[href="${episodePath}"]`);
    assert.equal(await patientLink.count(), 1, `/episodes has one link to ${episodePath}`);
    assert.equal((await patientLink.innerText()).trim(), PATIENT_GAPS);
    const reserveLink = page.locator(`table a[href="/episodes/${ids[PATIENT_RESERVE]}"]`);
    assert.equal((await reserveLink.innerText()).trim(), PATIENT_RESERVE, 'a reserve number is listed as RES-2026-0001');

    // The episode page: primary care has not been told of the admission.
    await Promise.all([page.waitForEvent('load'), patientLink.click()]);
    assert.equal(h.pathOf(page.url()), episodePath);
    const h1 = await page.locator('h1').innerText();
    assert.ok(h1.includes(PATIENT_GAPS), `<h1> contains ${PATIENT_GAPS}, got "${h1}"`);
    assert.equal(await page.locator('h2', { hasText: /^\s*Saknas\s*$/ }).count(), 1, 'a section "Saknas"');
    assert.equal(await page.locator('h2', { hasText: /^\s*Logg\s*$/ }).count(), 1, 'a section "Logg"');
    assert.deepEqual(
      (await gapItems(page, 'Hälsocentralen', 'Inskrivning')).length,
      1,
      `one gap "Hälsocentralen … Inskrivning"; gaps: ${JSON.stringify(await page.locator('ul.gaps li').allInnerTexts())}`,
    );
    assert.equal((await gapItems(page, 'Kommunen', 'Inskrivning')).length, 0, 'the municipality was told of the admission');
    assert.ok(!(await h.bodyText(page)).includes('Reservnummer'), 'a personnummer episode is not flagged as a reserve number');
    assert.equal(await page.locator('.discharge-warning').count(), 0, 'no discharge warning before discharge');
    const rowsBefore = await logRows(page).count();
    assert.ok(rowsBefore >= 1, 'the demo call to the municipality is in the log');

    // The entry form: today's date, the time typed (empty), phone by default, labelled fields.
    const form = page.locator('form#entry-form');
    assert.equal(await form.getByLabel('Datum', { exact: true }).inputValue(), h.minutesFromNow(0).slice(0, 10), 'the date is today by default');
    assert.equal(await form.getByLabel('Klockslag').inputValue(), '', 'the time starts empty (typed from the paper or the clock)');
    assert.equal(await form.getByLabel('Klockslag').getAttribute('required'), '', 'the time is required');
    assert.equal(await form.locator('select[name="channel"]').inputValue(), 'phone', 'channel defaults to phone');
    assert.equal(await form.getByLabel('Lämnade information').getAttribute('value'), 'given');
    assert.equal(await form.getByLabel('Tog emot information').getAttribute('value'), 'received');
    for (const [value, text] of [
      ['admission', 'Inskrivning'],
      ['estimated_discharge_date', 'Beräknat utskrivningsdatum'],
      ['planning_information', 'Planeringsunderlag'],
      ['current_services', 'Aktuella insatser'],
      ['designated_care_contact', 'Fast vårdkontakt'],
      ['discharge_notice', 'Utskrivningsmeddelande'],
    ]) {
      const label = `${MESSAGE_NUMBERS[value]} ${text}`;
      assert.equal(await messageLabel(page, value), label, `the checkbox messages=${value} is labelled "${label}"`);
    }

    // (a) Told primary care of the admission and the estimated discharge date.
    let r = await logCall(page, id, {
      at: h.minutesFromNow(-10),
      org: 'rvn-hc-timra',
      ...A,
      direction: 'given',
      messages: ['admission', 'estimated_discharge_date'],
      comment: 'E2E samtal a',
    });
    assert.equal(r.status(), 303, 'POST entry (a) answers 303');
    assert.equal(h.pathOf(page.url()), episodePath, 'back on the episode page after (a)');
    assert.deepEqual(await gapItems(page, 'Hälsocentralen', 'Inskrivning'), [], 'the primary-care admission gap is gone after (a)');
    assert.deepEqual(
      await gapItems(page, 'Hälsocentralen', 'Beräknat utskrivningsdatum'),
      [],
      'no gap for the estimated discharge date to primary care after (a)',
    );
    assert.equal(await logRows(page).count(), rowsBefore + 1, 'the log gained (a)');
    const rowA = logRows(page).filter({ hasText: A.name });
    assert.equal(await rowA.count(), 1, 'the row of (a) names the person spoken with');
    const rowAText = await rowA.innerText();
    assert.ok(rowAText.includes('Inskrivning') && rowAText.includes('Beräknat utskrivningsdatum'), `row (a) shows the information: ${rowAText}`);

    // The form remembers the last counterpart, also on the next visit.
    await page.goto(episodePath);
    assert.equal(await form.locator('select[name="counterpart_org"]').inputValue(), 'rvn-hc-timra', 'organisation remembered');
    assert.equal(await form.locator('input[name="counterpart_name"]').inputValue(), A.name, 'name remembered');
    assert.equal(await form.locator('input[name="counterpart_role"]').inputValue(), A.role, 'role remembered');

    // (b) Received the current services from the municipality.
    r = await logCall(page, id, {
      at: h.minutesFromNow(-5),
      org: 'kommun-timra',
      ...B,
      direction: 'received',
      messages: ['current_services'],
      comment: 'E2E samtal b',
    });
    assert.equal(r.status(), 303, 'POST entry (b) answers 303');
    assert.equal(h.pathOf(page.url()), episodePath);

    // (c) Gave planning information to the municipality.
    r = await logCall(page, id, {
      org: 'kommun-timra',
      ...C,
      direction: 'given',
      messages: ['planning_information'],
      comment: 'E2E samtal c',
    });
    assert.equal(r.status(), 303, 'POST entry (c) answers 303');
    assert.equal(h.pathOf(page.url()), episodePath);
    assert.equal(await logRows(page).count(), rowsBefore + 3, 'the log has three more rows');
    for (const who of [A, B, C]) {
      assert.equal(await logRows(page).filter({ hasText: who.name }).count(), 1, `one log row names ${who.name}`);
    }

    // Correct (c): it was patient information, not planning information.
    const rowC = logRows(page).filter({ hasText: C.name });
    const correct = rowC.getByRole('link', { name: 'Rätta', exact: true });
    assert.equal(await correct.count(), 1, 'our own entry (c) has a "Rätta" link');
    const href = new URL(await correct.getAttribute('href'), server.url);
    assert.equal(href.pathname, episodePath, `"Rätta" links to the episode page, got ${href}`);
    const entryId = href.searchParams.get('correct');
    assert.ok(entryId, `"Rätta" names the entry in ?correct=, got ${href}`);
    await Promise.all([page.waitForEvent('load'), correct.click()]);
    assert.equal(h.pathOf(page.url()), episodePath);
    assert.equal(new URL(page.url()).searchParams.get('correct'), entryId);
    assert.equal(await form.locator('input[type="hidden"][name="supersedes"]').getAttribute('value'), entryId, 'hidden supersedes = entry id');
    assert.equal(await form.locator('select[name="counterpart_org"]').inputValue(), 'kommun-timra', 'correction: organisation pre-filled');
    assert.equal(await form.locator('input[name="counterpart_name"]').inputValue(), C.name, 'correction: name pre-filled');
    assert.equal(await form.locator('input[name="counterpart_role"]').inputValue(), C.role, 'correction: role pre-filled');
    assert.ok(await form.locator('input[name="direction"][value="given"]').isChecked(), 'correction: direction pre-filled');
    assert.equal(await form.locator('input[name="message_numbers"]').inputValue(), '3', 'correction: message pre-filled (3, planning information)');
    const patientInfoLabel = 'Patientinformation';
    await form.locator('input[name="message_numbers"]').fill('15');
    await form.getByLabel('Kommentar').fill('E2E samtal c, rättat');
    r = await submitWithEnter(page, form.getByRole('button', { name: 'Spara samtalet' }), `/episodes/${id}/entries`);
    assert.equal(r.status(), 303, 'POST correction answers 303');
    assert.equal(h.pathOf(page.url()), episodePath, 'back on the episode page after the correction');
    assert.equal(new URL(page.url()).searchParams.get('correct'), null, 'not in correction mode after saving');
    assert.equal(await logRows(page).count(), rowsBefore + 4, 'the old entry stays and the correction is added');
    const oldC = page.locator('table.log tbody tr.superseded').filter({ hasText: C.name });
    const newC = page.locator('table.log tbody tr:not(.superseded)').filter({ hasText: C.name });
    assert.equal(await oldC.count(), 1, 'the corrected entry (c) has class "superseded"');
    assert.equal(await newC.count(), 1, 'the correcting entry is a normal row');
    const oldText = await oldC.innerText();
    const newText = await newC.innerText();
    assert.ok(oldText.includes('Rättad'), `the superseded row says "Rättad": ${oldText}`);
    assert.ok(oldText.includes('Planeringsunderlag'), `the superseded row keeps what it said: ${oldText}`);
    assert.ok(newText.includes(patientInfoLabel), `the new row says "${patientInfoLabel}": ${newText}`);
    assert.ok(!newText.includes('Planeringsunderlag'), `the new row no longer says "Planeringsunderlag": ${newText}`);
    assert.ok(!newText.includes('Rättad'), `the new row is not marked "Rättad": ${newText}`);
    assert.equal(await page.locator('table.log tbody tr.superseded').count(), 1, 'exactly one superseded row');

    // The print view.
    const printLink = page.getByRole('link', { name: 'Skriv ut loggen', exact: true });
    assert.equal(await printLink.count(), 1, 'the episode page has "Skriv ut loggen"');
    assert.equal(await printLink.getAttribute('href'), `${episodePath}/print`);
    await Promise.all([page.waitForEvent('load'), printLink.click()]);
    assert.equal(h.pathOf(page.url()), `${episodePath}/print`);
    const printH1 = await page.locator('h1').innerText();
    assert.ok(printH1.includes('Överlämningslogg') && printH1.includes(PATIENT_GAPS), `print <h1> names the log and patient, got "${printH1}"`);
    assert.equal(await headerNav(page).count(), 0, 'the print view has no header nav');
    assert.equal(await page.locator('a[href="/gaps"], a[href="/episodes"]').count(), 0, 'the print view has no navigation links');
    assert.equal(await logRows(page).count(), rowsBefore + 4, 'the print view has the same log rows');
    for (const who of [A, B, C]) {
      assert.ok(await logRows(page).filter({ hasText: who.name }).count() >= 1, `the print view shows ${who.name}`);
    }
    assert.equal(await page.locator('table.log tbody tr.superseded').count(), 1, 'the print view marks the corrected entry');
    // What is missing keeps its direction on paper, as on screen ("Avdelningen → Kommunen: …").
    const printedGaps = await page.locator('ul.gaps li').allInnerTexts();
    assert.ok(printedGaps.length >= 1, 'the print view lists what is still missing');
    for (const gap of printedGaps) {
      assert.match(gap, / → .+: /, `a printed gap names who owes whom: ${gap}`);
    }
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.locator('table.log').isVisible(), 'the log table is printed');
    assert.ok(await page.locator('h1').isVisible(), 'the heading is printed');

    // The episode page printed: no header nav.
    await page.emulateMedia({ media: 'screen' });
    await page.goto(episodePath);
    assert.ok(await headerNav(page).isVisible(), 'on screen the header nav is visible');
    await page.emulateMedia({ media: 'print' });
    assert.ok(!(await headerNav(page).isVisible()), 'printed, the header nav is hidden');
    assert.ok(await page.locator('table.log').isVisible(), 'printed, the log is visible');
    await page.emulateMedia({ media: 'screen' });
  } finally {
    await context.close();
  }
});

test('the entry form refuses a call without information or without a name (422)', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    const id = ids[PATIENT_COMPLETE];
    await page.goto(`/episodes/${id}`);
    const rowsBefore = await logRows(page).count();
    const text = await h.bodyText(page);
    const baseline = {
      Information: count(text, 'Information'),
      'Namn på den du talade med': count(text, 'Namn på den du talade med'),
    };
    const name = `E2E Felaktig ${Date.now().toString(36)}`;

    // No message type ticked.
    let r = await logCall(page, id, { org: 'kommun-timra', name, role: 'handläggare', direction: 'given', messages: [] });
    assert.equal(r.status(), 422, 'POST entry without information answers 422');
    assert.equal(await page.locator('form#entry-form').count(), 1, 'the entry form is shown again');
    await assertErrorNames(page, 'Information', baseline.Information, 'no message type');

    // A name of spaces only (passes the browser's "required", not the server).
    await page.goto(`/episodes/${id}`);
    r = await logCall(page, id, { org: 'kommun-timra', name: '   ', role: 'handläggare', direction: 'given', messages: ['admission'] });
    assert.equal(r.status(), 422, 'POST entry with an empty name answers 422');
    assert.equal(await page.locator('form#entry-form').count(), 1, 'the entry form is shown again');
    await assertErrorNames(page, 'Namn på den du talade med', baseline['Namn på den du talade med'], 'empty name');

    // Nothing was stored.
    await page.goto(`/episodes/${id}`);
    assert.equal(await logRows(page).count(), rowsBefore, 'no entry was stored');
    assert.ok(!(await page.content()).includes(name), 'the refused name is stored nowhere visible');
    assert.ok((await h.bodyText(page)).includes('Alla parter har fått det de ska ha.'), `${PATIENT_COMPLETE} has no gaps`);
    assert.equal(await page.locator('ul.gaps li').count(), 0, 'no gap items when nothing is missing');
  } finally {
    await context.close();
  }
});

test('registering an episode: wrong check digit (422), then a reserve number', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    await page.goto('/episodes');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('link', { name: 'Registrera vårdtillfälle', exact: true }).click(),
    ]);
    assert.equal(h.pathOf(page.url()), '/episodes/new');
    const form = page.locator('form[method="post"][action="/episodes"]');
    assert.equal(await form.count(), 1, '/episodes/new has a form posting to /episodes');
    const mentionsOnEmptyForm = count(await h.bodyText(page), 'Personnummer');

    async function fill(patientId, reserve) {
      const f = page.locator('form[method="post"][action="/episodes"]');
      await f.getByLabel('Personnummer eller samordningsnummer').fill(patientId);
      const box = f.getByLabel('Reservnummer (identiteten är okänd)');
      assert.equal(await box.getAttribute('name'), 'reserve_number');
      if (reserve) await box.check();
      else await box.uncheck();
      await f.getByLabel('Hemkommun').selectOption('kommun-timra');
      await f.getByLabel('Hälsocentral').selectOption('rvn-hc-timra');
      const admitted = f.getByLabel('Inskriven');
      assert.equal(await admitted.getAttribute('type'), 'datetime-local');
      await admitted.fill(h.minutesFromNow(-30));
      const expected = f.getByLabel('Beräknat utskrivningsdatum');
      assert.equal(await expected.getAttribute('type'), 'date');
      await expected.fill(h.minutesFromNow(3 * 24 * 60).slice(0, 10));
      assert.equal(await f.locator('input[type="checkbox"][name="existed_before_outage"]').count(), 1);
      return submitWithEnter(page, f.getByRole('button', { name: 'Registrera vårdtillfälle' }), '/episodes');
    }

    // Wrong check digit: the form again, 422, a message about "Personnummer".
    let r = await fill(WRONG_CHECK_DIGIT, false);
    assert.equal(r.status(), 422, `POST /episodes with ${WRONG_CHECK_DIGIT} answers 422`);
    assert.equal(h.pathOf(page.url()), '/episodes', 'the response is the re-rendered form, not a redirect');
    assert.equal(await form.count(), 1, 'the registration form is shown again');
    const errorText = await h.bodyText(page);
    assert.ok(
      count(errorText, 'Personnummer') > mentionsOnEmptyForm,
      `an error message mentioning "Personnummer" is shown (${count(errorText, 'Personnummer')} vs ${mentionsOnEmptyForm} mentions on the empty form)`,
    );

    // A reserve number: accepted and flagged.
    r = await fill('RES-E2E-1', true);
    assert.equal(r.status(), 303, 'POST /episodes with a reserve number answers 303');
    const id = episodeIdFromUrl(page.url());
    assert.ok(id, `redirected to /episodes/{id}, got ${page.url()}`);
    const h1 = await page.locator('h1').innerText();
    assert.ok(h1.includes('RES-E2E-1'), `<h1> contains RES-E2E-1, got "${h1}"`);
    assert.ok((await h.bodyText(page)).includes('Reservnummer'), 'the episode page flags the reserve number');
    // Admitted now: every party is still to be told of the admission.
    assert.equal((await gapItems(page, 'Kommunen', 'Inskrivning')).length, 1, 'the municipality is to be told of the admission');
    assert.equal((await gapItems(page, 'Hälsocentralen', 'Inskrivning')).length, 1, 'primary care is to be told of the admission');

    // Listed; the wrong number was never stored.
    await page.goto('/episodes');
    const listed = await episodeIdsOnPage(page);
    assert.equal(listed['RES-E2E-1'], id, '/episodes links to the new episode with RES-E2E-1 as text');
    assert.ok(!(await page.content()).includes(WRONG_CHECK_DIGIT), `${WRONG_CHECK_DIGIT} was not stored`);
  } finally {
    await context.close();
  }
});

test('no default that can be wrong about a patient: required choices start empty, the call form suggests only this patient\'s parties', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');

    // The registration form: home municipality and primary care start on
    // "Välj …", and the municipalities are in Swedish order (Å, Ä, Ö last).
    await page.goto('/episodes/new');
    const reg = page.locator('form[method="post"][action="/episodes"]');
    assert.equal(await reg.getByLabel('Hemkommun').inputValue(), '', 'the municipality starts empty');
    assert.equal(await reg.getByLabel('Hälsocentral').inputValue(), '', 'the primary-care centre starts empty');
    assert.equal(await reg.getByLabel('Hemkommun').getAttribute('required'), '', 'the municipality is required');
    const names = (await reg.locator('select[name="municipality"] option').allInnerTexts()).map((t) => t.trim()).slice(1);
    const sorted = [...names].sort((a, b) => a.localeCompare(b, 'sv'));
    assert.deepEqual(names, sorted, `municipalities in Swedish order: ${names.join(', ')}`);

    async function register(number, municipality, primaryCare) {
      await page.goto('/episodes/new');
      const f = page.locator('form[method="post"][action="/episodes"]');
      await f.getByLabel('Personnummer eller samordningsnummer').fill(number);
      await f.getByLabel('Reservnummer (identiteten är okänd)').check();
      await f.getByLabel('Hemkommun').selectOption(municipality);
      await f.getByLabel('Hälsocentral').selectOption(primaryCare);
      await f.getByLabel('Inskriven').fill(h.minutesFromNow(-20));
      const r = await submitWithEnter(page, f.getByRole('button', { name: 'Registrera vårdtillfälle' }), '/episodes');
      assert.equal(r.status(), 303, `register ${number}`);
      return episodeIdFromUrl(page.url());
    }
    const timra = await register('RES-E2E-2', 'kommun-timra', 'rvn-hc-timra');
    const sundsvall = await register('RES-E2E-3', 'kommun-sundsvall', 'rvn-hc-sundsvall-centrum');

    // Timrå's patient: a call to Timrå's needs assessor.
    await page.goto(`/episodes/${timra}`);
    const form = page.locator('form#entry-form');
    assert.equal(await form.locator('input[name="direction"]:checked').count(), 0, '"Lämnade / Tog emot" starts unchosen');
    const r = await logCall(page, timra, {
      org: 'kommun-timra',
      name: 'E2E Handläggare Timrå',
      role: 'biståndshandläggare',
      direction: 'given',
      messages: ['admission'],
    });
    assert.equal(r.status(), 303);

    // Then Sundsvall's patient, in the same browser: nothing of Timrå's call.
    await page.goto(`/episodes/${sundsvall}`);
    const org = await form.locator('select[name="counterpart_org"]').inputValue();
    assert.notEqual(org, 'kommun-timra', 'Timrå is not suggested for a Sundsvall patient');
    assert.ok(['', 'kommun-sundsvall', 'rvn-hc-sundsvall-centrum'].includes(org), `only this patient's parties or none, got "${org}"`);
    assert.equal(await form.locator('input[name="counterpart_name"]').inputValue(), '', 'no person carried over');
    assert.equal(await form.locator('input[name="direction"]:checked').count(), 0, 'no direction carried over');

    // Back to Timrå's patient: remembered for this patient.
    await page.goto(`/episodes/${timra}`);
    assert.equal(await form.locator('select[name="counterpart_org"]').inputValue(), 'kommun-timra');
    assert.equal(await form.locator('input[name="counterpart_name"]').inputValue(), 'E2E Handläggare Timrå');
  } finally {
    await context.close();
  }
});

test('chain of care: IT sees nothing, the municipality sees its resident', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const itContext = await h.newContext(browser, server.url);
  const kommunContext = await h.newContext(browser, server.url);
  try {
    const id = ids[PATIENT_GAPS];

    // demo-it is no party to the episode: 404, and no trace of the patient.
    const it = await itContext.newPage();
    await h.login(it, 'demo-it');
    let r = await it.goto(`/episodes/${id}`);
    assert.equal(r.status(), 404, `demo-it: GET /episodes/${id} answers 404`);
    assert.ok(!(await it.content()).includes(PATIENT_GAPS), 'the 404 page does not name the patient');
    r = await it.goto(`/episodes/${id}/print`);
    assert.equal(r.status(), 404, `demo-it: GET /episodes/${id}/print answers 404`);
    assert.ok(!(await it.content()).includes(PATIENT_GAPS), 'the print 404 does not name the patient');
    r = await it.goto('/episodes');
    assert.ok(r.status() < 500, `demo-it: GET /episodes does not fail, got ${r.status()}`);
    assert.ok(!(await it.content()).includes(PATIENT_GAPS), `demo-it: /episodes does not contain ${PATIENT_GAPS}`);
    r = await it.goto('/gaps');
    assert.ok(r.status() < 500, `demo-it: GET /gaps does not fail, got ${r.status()}`);
    assert.ok(!(await it.content()).includes(PATIENT_GAPS), `demo-it: /gaps does not contain ${PATIENT_GAPS}`);

    // demo-kommun (Timrå) is the patient's home municipality.
    const kommun = await kommunContext.newPage();
    await h.login(kommun, 'demo-kommun');
    r = await kommun.goto('/episodes');
    assert.equal(r.status(), 200);
    const visible = await episodeIdsOnPage(kommun);
    assert.equal(visible[PATIENT_GAPS], id, `demo-kommun: /episodes links to ${PATIENT_GAPS}`);
    assert.ok(!visible[PATIENT_DISCHARGED], `demo-kommun (Timrå) does not see ${PATIENT_DISCHARGED} (Sundsvall)`);
    r = await kommun.goto(`/episodes/${id}`);
    assert.equal(r.status(), 200, `demo-kommun: GET /episodes/${id} answers 200`);
    const h1 = await kommun.locator('h1').innerText();
    assert.ok(h1.includes(PATIENT_GAPS), `<h1> contains ${PATIENT_GAPS}, got "${h1}"`);
    assert.equal(await kommun.locator('form#entry-form').count(), 1, 'the municipality can log calls too');
    // Every entry here was logged by the ward: nothing for the municipality to correct.
    assert.equal(
      await kommun.locator('table.log').getByRole('link', { name: 'Rätta', exact: true }).count(),
      0,
      'no "Rätta" on entries logged by another organisation',
    );
    r = await kommun.goto(`/episodes/${ids[PATIENT_DISCHARGED]}`);
    assert.equal(r.status(), 404, `demo-kommun: the Sundsvall patient ${PATIENT_DISCHARGED} answers 404`);

    // On the complete demo episode the municipality logged one of the four calls.
    r = await kommun.goto(`/episodes/${ids[PATIENT_COMPLETE]}`);
    assert.equal(r.status(), 200);
    assert.equal(await logRows(kommun).count(), 4, `${PATIENT_COMPLETE} has four demo calls`);
    assert.equal(
      await kommun.locator('table.log').getByRole('link', { name: 'Rätta', exact: true }).count(),
      1,
      'only the municipality\'s own entry has "Rätta"',
    );

    // Correcting the ward's entry by hand is refused.
    await kommun.goto(`/episodes/${id}`);
    const rowsBefore = await logRows(kommun).count();
    assert.ok(wardEntryId, 'setup: the id of the ward\'s demo entry (from its "Rätta" link)');
    const token = await h.csrfToken(kommun);
    const forged = await kommun.request.post(`/episodes/${id}/entries`, {
      form: {
        csrf: token,
        supersedes: wardEntryId,
        at: h.minutesFromNow(0),
        counterpart_org: 'rvn-sundsvall-avd-medicin-3',
        counterpart_name: 'E2E Förfalskad rättelse',
        counterpart_role: '',
        direction: 'given',
        channel: 'phone',
        messages: 'current_services',
        comment: '',
      },
      headers: { Origin: server.url, Referer: `${server.url}/episodes/${id}` },
      maxRedirects: 0,
    });
    assert.ok(forged.status() >= 400, `demo-kommun correcting a ward entry is refused, got ${forged.status()}`);
    await kommun.goto(`/episodes/${id}`);
    assert.equal(await logRows(kommun).count(), rowsBefore, 'nothing was stored');
  } finally {
    await itContext.close();
    await kommunContext.close();
  }
});

test('the ward sees the discharge warning of a patient discharged with unconfirmed information', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    const r = await page.goto(`/episodes/${ids[PATIENT_DISCHARGED]}`);
    assert.equal(r.status(), 200);
    const warning = page.locator('[role="alert"].discharge-warning');
    assert.equal(await warning.count(), 1, 'one element with role="alert" and class "discharge-warning"');
    assert.ok(await warning.isVisible(), 'the discharge warning is visible');
    const text = await warning.innerText();
    assert.ok(text.includes('Utskriven'), `the warning says "Utskriven": ${text}`);
    assert.ok(
      await page.getByRole('alert').filter({ hasText: 'Utskriven' }).count() >= 1,
      'the warning is exposed to assistive technology as an alert',
    );
    // It is printed too.
    await page.emulateMedia({ media: 'print' });
    assert.ok(await warning.isVisible(), 'the discharge warning is printed');
  } finally {
    await context.close();
  }
});

test('the blank downtime form has the paper columns', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    const r = await page.goto('/forms/blank');
    assert.equal(r.status(), 200);
    const h1 = await page.locator('h1').innerText();
    assert.ok(h1.includes('Blankett'), `<h1> contains "Blankett", got "${h1}"`);
    const headers = (await page.locator('table.calls th').allInnerTexts()).map((t) => t.trim());
    for (const column of ['Datum, tid', 'Signatur (namn och titel)', 'L/M', 'Talade med (namn, organisation)', 'Nr', 'Kommentar']) {
      assert.ok(headers.includes(column), `the blank form has the column "${column}" (columns: ${JSON.stringify(headers)})`);
    }
    // What the registration needs, to be written down while Reserv is away.
    const patient = (await page.locator('table.facts-blank th').allInnerTexts()).map((t) => t.trim());
    for (const field of ['Personnummer eller samordningsnummer', 'Hemkommun', 'Hälsocentral', 'Inskriven', 'Utskriven', 'Utskriven till', 'Omfattande och långvariga insatser från kommunen efter vårdtiden']) {
      assert.ok(patient.includes(field), `the blank form asks for "${field}" (${JSON.stringify(patient)})`);
    }
    // Where the patient went, as boxes to tick (the facts the back-entry engine needs).
    const boxes = await page.locator('table.facts-blank td.boxes').first().innerText();
    for (const d of ['Hem', 'Korttidsboende', 'Annan vårdenhet', 'Avliden']) {
      assert.ok(boxes.includes(`☐ ${d}`) || boxes.includes(`☐\u00a0${d}`), `the blank form offers "${d}" (${JSON.stringify(boxes)})`);
    }
    // The message types numbered 1–16 as the call form takes them.
    const legend = await page.locator('ol.message-legend li').allInnerTexts();
    assert.equal(legend.length, 16, 'sixteen numbered message types');
    assert.equal(legend[0].trim(), 'Inskrivning');
    assert.equal(legend[15].trim(), 'Annat');
    // One A4 page (landscape) when printed.
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: false });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.equal(pages, 1, `the blank form prints on one page, got ${pages}`);
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    assert.ok(box, 'the PDF names its page size');
    const [w, hgt] = [Number(box[1]), Number(box[2])];
    assert.ok(Math.abs(w - 841.9) < 2 && Math.abs(hgt - 595.3) < 2, `A4 landscape (841.9 × 595.3 pt), got ${w} × ${hgt}`);
  } finally {
    await context.close();
  }
});

for (const lang of ['sv', 'en']) {
  test(`axe: the handover pages have no violations (${lang})`, { timeout: h.TEST_TIMEOUT_MS }, async (t) => {
    const context = await h.newContext(browser, server.url);
    try {
      const page = await context.newPage();
      await h.loginByName(page, 'demo-clinician');
      if (lang === 'en') {
        await page.goto('/lang/en');
        await page.goto('/episodes');
        const htmlLang = await page.locator('html').getAttribute('lang');
        assert.ok(htmlLang && htmlLang.startsWith('en'), `switched to English, <html lang="${htmlLang}">`);
      }
      const scan = async (name, path) => {
        await t.test(`axe: ${name} [${lang}] (${path})`, async () => {
          const r = await page.goto(path);
          assert.equal(r.status(), 200, `GET ${path}`);
          await h.checkA11y(page, `${name} [${lang}] (${path})`);
        });
      };
      await scan('patients', '/episodes');
      await scan('register episode', '/episodes/new');
      await scan('episode with gaps and log', `/episodes/${ids[PATIENT_GAPS]}`);
      await scan('episode with discharge warning', `/episodes/${ids[PATIENT_DISCHARGED]}`);
      await scan('episode without gaps', `/episodes/${ids[PATIENT_COMPLETE]}`);
      await scan('reserve-number episode', `/episodes/${ids[PATIENT_RESERVE]}`);
      await scan('print view', `/episodes/${ids[PATIENT_GAPS]}/print`);
      await scan('missing information', '/gaps');
      await scan('blank form', '/forms/blank');

      // The pages after a refused form (422), found by field names.
      await t.test(`axe: register form with errors [${lang}] (/episodes, 422)`, async () => {
        await page.goto('/episodes/new');
        const f = page.locator('form[method="post"][action="/episodes"]');
        await f.locator('[name="patient_id"]').fill(WRONG_CHECK_DIGIT);
        await f.locator('[name="municipality"]').selectOption('kommun-timra');
        await f.locator('[name="primary_care"]').selectOption('rvn-hc-timra');
        await f.locator('[name="admitted_at"]').fill(h.minutesFromNow(-30));
        const r = await h.submitForm(page, f.locator('[type="submit"]'), '/episodes');
        assert.equal(r.status(), 422);
        await h.checkA11y(page, `register form with errors [${lang}]`);
      });
      await t.test(`axe: entry form with errors [${lang}] (/episodes/{id}/entries, 422)`, async () => {
        const id = ids[PATIENT_COMPLETE];
        await page.goto(`/episodes/${id}`);
        const f = page.locator('form#entry-form');
        await f.locator('[name="counterpart_org"]').selectOption('kommun-timra');
        await f.locator('[name="counterpart_name"]').fill('E2E a11y');
        await f.locator('[name="time"]').fill(h.minutesFromNow(-1).slice(11, 16));
        await f.locator('input[name="direction"][value="given"]').check();
        await uncheckAllMessages(f);
        const r = await h.submitForm(page, f.locator('[type="submit"]'), `/episodes/${id}/entries`);
        assert.equal(r.status(), 422);
        await h.checkA11y(page, `entry form with errors [${lang}]`);
      });
    } finally {
      await context.close();
    }
  });
}
