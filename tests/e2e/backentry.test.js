'use strict';
// Back-entry ("Efterregistrering") after last week's demo outage of Lifecare
// SP: the ward's worklist, taking, finishing, skipping and reopening items,
// working through the list until it is complete, the municipality's own
// worklist, the unit manager's completion report with its chart and CSV, and
// axe-core on these pages. Demo data only; the tests in this file run in
// order and build on each other's changes (one fresh server for the file).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

const WARD_NAME_FALLBACK = 'Medicinavdelning 3, Sundsvalls sjukhus';
const DEMO_NOTICE_PREFIX = 'Demo: avbrott i Lifecare SP förra veckan';
const PROGRESS_RE = /(\d+) av (\d+) \((\d+) %\)/;
// The state of one item (singular forms).
const DONE_STATE_RE = /^Klar\b/;
const SKIPPED_STATE_RE = /^Överhoppad\b/;
const OPEN_STATE_RE = /^Ej klar\b/;
const STAMP_RE = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/;

let server;
let browser;
/** The ended demo outage of Lifecare SP. */
let outageId;
let worklistPath;

/** Shared between the tests, filled in as they go. */
const state = {
  wardName: WARD_NAME_FALLBACK,
  clinicianName: null,
  /** The item taken and finished, then reopened: { region, header, key }. */
  doneItem: null,
  /** The item skipped: { region, header, key, reason }. */
  skippedItem: null,
  totalItems: null,
  completed: false,
};

before(async () => {
  server = await h.startServer('backentry');
  browser = await h.launchBrowser();
  const context = await h.newContext(browser, server.url);
  try {
    outageId = await findEndedDemoOutage(context);
    worklistPath = `/outages/${outageId}/worklist`;
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

/**
 * The id of last week's ended Lifecare SP outage, through the API: the
 * lifecare-sp outage with `restored_at` whose declared notice is the demo
 * text (or, failing that, the only ended lifecare-sp outage).
 */
async function findEndedDemoOutage(context) {
  const tokenResponse = await context.request.post('/api/v1/auth/token', {
    data: { username: 'demo-clinician', password: h.PASSWORD },
  });
  assert.ok(tokenResponse.ok(), `setup: POST /api/v1/auth/token answers 2xx, got ${tokenResponse.status()}`);
  const { token } = await tokenResponse.json();
  assert.ok(token, 'setup: the token response has a token');
  const listResponse = await context.request.get('/api/v1/outages', {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(listResponse.status(), 200, 'setup: GET /api/v1/outages');
  const body = await listResponse.json();
  const outages = Array.isArray(body) ? body : body.outages || body.items || [];
  const ended = outages.filter((o) => o.system === 'lifecare-sp' && o.restored_at);
  const noticesOf = (o) => [
    o.notice || '',
    ...(o.timeline || []).map((e) => (e.change && e.change.notice) || ''),
  ];
  const demo = ended.filter((o) => noticesOf(o).some((n) => n.startsWith(DEMO_NOTICE_PREFIX)));
  const chosen = demo[0] || (ended.length === 1 ? ended[0] : null);
  assert.ok(
    chosen,
    `setup: an ended lifecare-sp outage (demo notice "${DEMO_NOTICE_PREFIX}…"); outages: ${JSON.stringify(
      outages.map((o) => ({ id: o.id, system: o.system, restored_at: o.restored_at, notice: o.notice })),
    )}`,
  );
  return chosen.id;
}

/** Follow a link (same document) and wait for the new page. */
async function follow(page, link) {
  await Promise.all([page.waitForEvent('load'), link.click()]);
}

/** { done, total, percent } from the "N av M (P %)" progress line of the page. */
async function progressOf(page) {
  const m = PROGRESS_RE.exec(await h.bodyText(page));
  assert.ok(m, `the page has a progress line "N av M (P %)": ${(await h.bodyText(page)).slice(0, 600)}`);
  return { done: Number(m[1]), total: Number(m[2]), percent: Number(m[3]) };
}

/** The section (region) of one patient and party, by its exact heading. */
function lineRegion(page, heading) {
  return page.getByRole('region', { name: heading, exact: true });
}

/** The row of one item in a line, by its exact row header ("Registrera: …"). */
function itemRow(page, item) {
  return lineRegion(page, item.region)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: item.header, exact: true }) });
}

/** The status text of an item row (the last cell), whitespace-collapsed. */
async function statusOf(row) {
  return (await row.getByRole('cell').last().innerText()).replace(/\s+/g, ' ').trim();
}

/** Headings of the worklist lines ("<patient> · <party> · <outcome>"). */
async function lineHeadings(page) {
  return (await page.getByRole('heading', { level: 3 }).allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/**
 * Every tracked item row of the page: { region, header, key, status, buttons }.
 * `key` is the item's hidden form key (for the forged request only).
 */
async function trackedItems(page) {
  const result = [];
  for (const heading of await lineHeadings(page)) {
    const region = lineRegion(page, heading);
    if ((await region.count()) !== 1) continue;
    for (const row of await region.getByRole('row').all()) {
      const header = row.getByRole('rowheader');
      if ((await header.count()) !== 1) continue;
      const buttons = (await row.getByRole('button').allInnerTexts()).map((t) => t.trim());
      if (buttons.length === 0) continue;
      const key = await row.locator('input[type="hidden"][name="key"]').first().getAttribute('value');
      result.push({
        region: heading,
        header: (await header.innerText()).replace(/\s+/g, ' ').trim(),
        key,
        status: await statusOf(row),
        buttons,
      });
    }
  }
  return result;
}

/** "YYYY-MM-DD HH:MM" in the tests' time zone. */
function stampOf(date) {
  return h.localDateTime(date).replace('T', ' ');
}

/** Assert that `text` has a time stamp between `from` and `to` (inclusive, to the minute). */
function assertStampBetween(text, from, to, what) {
  const m = STAMP_RE.exec(text);
  assert.ok(m, `${what}: shows a time (YYYY-MM-DD HH:MM): ${text}`);
  const lo = stampOf(from);
  const hi = stampOf(to);
  assert.ok(m[0] >= lo && m[0] <= hi, `${what}: the time ${m[0]} is when it was done (between ${lo} and ${hi})`);
}

/** Submit one of an item row's buttons; returns the POST response. */
async function act(page, row, buttonName, reason) {
  if (reason !== undefined) await row.getByLabel('Anledning', { exact: true }).fill(reason);
  const button = row.getByRole('button', { name: buttonName, exact: true });
  assert.equal(await button.count(), 1, `the row has one button "${buttonName}": ${await row.innerText()}`);
  return h.submitForm(page, button, worklistPath);
}

async function openWorklistAs(context, username) {
  const page = await context.newPage();
  await h.login(page, username);
  const r = await page.goto(worklistPath);
  assert.equal(r.status(), 200, `${username}: GET ${worklistPath}`);
  return page;
}

// ---------------------------------------------------------------------------

test('the nurse finds the worklist from the ended outage: items, nothing-to-enter lines, payment line', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-clinician');
    const who = /Inloggad som ([^,]+),/.exec(await h.bodyText(page));
    state.clinicianName = who ? who[1].trim() : 'Demo Sjuksköterska';

    // The home page lists the outage among the recently ended; follow it there.
    const outagePath = `/outages/${outageId}`;
    const listed = page.locator(`a[href="${outagePath}"]`);
    if ((await listed.count()) > 0) {
      await follow(page, listed.first());
    } else {
      await page.goto(outagePath);
    }
    assert.equal(h.pathOf(page.url()), outagePath);
    assert.match(await page.locator('h1').innerText(), /Lifecare SP/);

    const section = page.getByRole('region', { name: 'Efterregistrering', exact: true });
    assert.equal(await section.count(), 1, 'the ended outage has a section "Efterregistrering"');
    const worklistLink = section.getByRole('link', { name: 'Arbetslista för efterregistrering', exact: true });
    assert.equal(await worklistLink.count(), 1, 'the section links to "Arbetslista för efterregistrering"');
    assert.equal(
      await section.getByRole('link', { name: 'Slutrapport och statistik' }).count(),
      0,
      'a nurse is not offered the completion report',
    );

    await follow(page, worklistLink);
    assert.equal(h.pathOf(page.url()), worklistPath);
    assert.match(await page.locator('h1').innerText(), /^Efterregistrering/);
    const text = await h.bodyText(page);
    const unit = /Enhet ([^]+?) Avbrottet/.exec(text);
    if (unit) state.wardName = unit[1].trim();
    assert.ok(text.includes(state.wardName), `the worklist names the unit "${state.wardName}"`);
    // No internal text: no file names of the sources, no ids of policy rows.
    assert.ok(!/seeds\/|\.txt\b|\.toml\b/.test(text), 'the worklist shows no file names');
    assert.ok(!/\b(rad|row) [a-z]+(-[a-z]+)+\b/.test(text), 'the worklist shows no rule ids');

    // Lines of the ward only, at least one item to enter.
    const headings = await lineHeadings(page);
    assert.ok(headings.length >= 1, 'the worklist has at least one line to work on');
    for (const heading of headings) {
      assert.match(heading, /^\S+ · Avdelningen · /, `a ward line: "${heading}"`);
    }
    const enterHeaders = page.getByRole('rowheader', { name: /^Registrera: / });
    assert.ok(await enterHeaders.count() >= 1, 'at least one "Registrera" item');
    assert.ok(await page.getByRole('rowheader', { name: /^Registrera inte: / }).count() >= 1, 'at least one "Registrera inte" item');
    assert.ok(text.includes('Meddelat per telefon: '), 'an item shows when it was told by phone');
    for (const name of ['Ta', 'Klar', 'Hoppa över']) {
      assert.ok(await page.getByRole('button', { name, exact: true }).count() >= 1, `a button "${name}"`);
    }
    assert.ok(await page.getByRole('textbox', { name: 'Anledning', exact: true }).count() >= 1, 'a text field "Anledning"');

    // "Inget att efterregistrera" with the reason.
    const nothing = page.getByRole('region', { name: /^Inget att efterregistrera/ });
    assert.equal(await nothing.count(), 1, 'a section "Inget att efterregistrera"');
    const nothingItems = (await nothing.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.ok(nothingItems.length >= 1, 'at least one line with nothing to enter');
    for (const item of nothingItems) {
      const m = /^(\S+) · Avdelningen: (.+)$/.exec(item);
      assert.ok(m && m[2].length > 10, `a nothing-to-enter line names the patient, the ward and a reason: "${item}"`);
    }

    // The municipality's payment responsibility, on the line where a
    // ready-for-discharge notice was told by phone.
    const payment = /Kommunens betalningsansvar från (\d{4}-\d{2}-\d{2})/.exec(text);
    assert.ok(payment, `the payment line "Kommunens betalningsansvar från <date>" is shown: ${text.slice(0, 400)}`);
    const paymentRegions = page.getByRole('region').filter({ hasText: 'Kommunens betalningsansvar från' });
    assert.equal(await paymentRegions.count(), 1, 'the payment line belongs to one worklist line');
    assert.match(await paymentRegions.innerText(), /utskrivningsklar meddelad per telefon/);

    const progress = await progressOf(page);
    assert.equal(progress.done, 0, 'nothing resolved yet in the fresh demo data');
    assert.ok(progress.total >= 3, `several items to work on, got ${progress.total}`);
    state.totalItems = progress.total;

    // The report is for unit managers and the like, not for a nurse.
    const report = await page.goto(`/outages/${outageId}/report`);
    assert.ok(report.status() === 403 || report.status() === 404, `a nurse cannot read the report, got ${report.status()}`);
  } finally {
    await context.close();
  }
});

test('the nurse takes and finishes an item, skips another (reason required), reopens the first', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await openWorklistAs(context, 'demo-clinician');
    const name = state.clinicianName;
    const items = await trackedItems(page);
    const open = items.filter((i) => OPEN_STATE_RE.test(i.status));
    const first = open.find((i) => /^Registrera: /.test(i.header) && i.buttons.includes('Ta'));
    assert.ok(first, `an open "Registrera" item that can be taken: ${JSON.stringify(items)}`);
    const second =
      open.find((i) => i.region !== first.region && i.buttons.includes('Hoppa över')) ||
      open.find((i) => i.key !== first.key && i.buttons.includes('Hoppa över'));
    assert.ok(second, 'another open item that can be skipped');
    state.doneItem = first;
    const row = itemRow(page, first);
    assert.equal(await row.count(), 1, `one row "${first.header}" in "${first.region}"`);
    let progress = await progressOf(page);

    // Take.
    let r = await act(page, row, 'Ta');
    assert.equal(r.status(), 303, '"Ta" answers 303');
    assert.equal(h.pathOf(page.url()), worklistPath, 'back on the worklist');
    let status = await statusOf(row);
    assert.match(status, OPEN_STATE_RE, `a taken item is still open: ${status}`);
    assert.ok(status.includes(name), `the taken item names ${name}: ${status}`);
    assert.equal(await row.getByRole('button', { name: 'Ta', exact: true }).count(), 0, 'no "Ta" on a taken item');

    // Done.
    const t0 = new Date();
    r = await act(page, row, 'Klar');
    const t1 = new Date();
    assert.equal(r.status(), 303, '"Klar" answers 303');
    status = await statusOf(row);
    assert.match(status, DONE_STATE_RE, `the item is done: ${status}`);
    assert.ok(status.includes(name), `the done item names ${name}: ${status}`);
    assertStampBetween(status, t0, t1, 'the done item');
    assert.equal(await row.getByRole('button', { name: 'Återöppna', exact: true }).count(), 1, 'a done item can be reopened');
    let after = await progressOf(page);
    assert.equal(after.done, progress.done + 1, `the progress count went up by one (${progress.done} → ${after.done})`);
    assert.equal(after.total, progress.total);
    progress = after;

    // Skip without a reason: refused with a Swedish message, nothing changes.
    const skipRow = itemRow(page, second);
    assert.equal(await skipRow.count(), 1, `one row "${second.header}" in "${second.region}"`);
    const skipStatusBefore = await statusOf(skipRow);
    r = await act(page, skipRow, 'Hoppa över', '');
    assert.equal(r.status(), 422, 'skipping without a reason answers 422');
    assert.equal(await page.locator('html').getAttribute('lang'), 'sv');
    const alerts = (await page.getByRole('alert').allInnerTexts()).join(' ').replace(/\s+/g, ' ');
    assert.match(alerts, /Anledning/, `the error names the field "Anledning": ${alerts}`);
    assert.match(alerts, /måste|krävs|fyll/i, `the error says the reason is required: ${alerts}`);
    // The refused item shows the message at its own field; otherwise it is unchanged.
    const refused = await statusOf(skipRow);
    assert.match(refused, /Anledning: fältet måste fyllas i\./, `the message is shown at the item: ${refused}`);
    assert.equal(refused.replace(/\s*Anledning: fältet måste fyllas i\./, ''), skipStatusBefore, 'the item is unchanged after the refused skip');
    assert.deepEqual(await progressOf(page), progress, 'the progress is unchanged after the refused skip');
    assert.match(await statusOf(row), DONE_STATE_RE, 'the done item is still done');
    await page.goto(worklistPath);
    assert.equal(await statusOf(skipRow), skipStatusBefore, 'still unchanged on a fresh load');

    // Skip with a reason.
    const reason = `E2E redan registrerat i Lifecare SP ${Date.now().toString(36)}`;
    r = await act(page, skipRow, 'Hoppa över', reason);
    assert.equal(r.status(), 303, 'skipping with a reason answers 303');
    status = await statusOf(skipRow);
    assert.match(status, SKIPPED_STATE_RE, `the item is skipped: ${status}`);
    assert.ok(status.includes(reason), `the skipped item shows the reason: ${status}`);
    assert.ok(status.includes(name), `the skipped item names ${name}: ${status}`);
    after = await progressOf(page);
    assert.equal(after.done, progress.done + 1, 'a skipped item counts as resolved');
    progress = after;
    state.skippedItem = { ...second, reason };

    // Reopen the done item: a reason is required here too.
    r = await act(page, row, 'Återöppna', '');
    assert.equal(r.status(), 422, 'reopening without a reason answers 422');
    assert.match(await statusOf(row), DONE_STATE_RE, 'still done after the refused reopen');
    await page.goto(worklistPath);
    const reopenReason = `E2E fel patient, gör om ${Date.now().toString(36)}`;
    r = await act(page, row, 'Återöppna', reopenReason);
    assert.equal(r.status(), 303, 'reopening with a reason answers 303');
    status = await statusOf(row);
    assert.match(status, OPEN_STATE_RE, `the reopened item is open again: ${status}`);
    assert.equal(await row.getByRole('button', { name: 'Klar', exact: true }).count(), 1, 'the reopened item can be finished again');
    after = await progressOf(page);
    assert.equal(after.done, progress.done - 1, 'reopening takes the item out of the resolved count');

    // The history lists the steps, oldest first.
    const summary = row.getByText(/^Historik \(\d+\)$/);
    assert.equal(await summary.count(), 1, 'the item has a "Historik (n)" disclosure');
    await summary.click();
    const history = row.locator('details');
    assert.equal(await history.count(), 1, 'the history is a <details> disclosure');
    const steps = (await history.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.equal(steps.length, 3, `three steps in the history: ${JSON.stringify(steps)}`);
    assert.ok(steps.every((s) => STAMP_RE.test(s) && s.includes(name)), `each step has a time and a name: ${JSON.stringify(steps)}`);
    assert.match(steps[0], /: Ta\b/, `first step: taken: ${steps[0]}`);
    assert.match(steps[1], /: Klar\b/, `second step: done: ${steps[1]}`);
    assert.match(steps[2], /: Återöppna: /, `third step: reopened: ${steps[2]}`);
    assert.ok(steps[2].includes(reopenReason), `the reopen step has its reason: ${steps[2]}`);
  } finally {
    await context.close();
  }
});

test('the nurse works through every open item until the worklist says it is complete', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  assert.ok(state.skippedItem, 'the previous test skipped an item');
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await openWorklistAs(context, 'demo-clinician');
    const start = await progressOf(page);
    assert.ok(start.done < start.total, `items are still open: ${JSON.stringify(start)}`);
    const done = page.getByRole('button', { name: 'Klar', exact: true });
    let clicks = 0;
    const maxClicks = start.total - start.done;
    for (;;) {
      if ((await done.count()) === 0) {
        const next = page.getByRole('navigation').getByRole('link', { name: /→$/ });
        if ((await next.count()) === 0) break;
        await follow(page, next.first());
        continue;
      }
      assert.ok(clicks < maxClicks, `at most ${maxClicks} items to finish, clicked ${clicks}`);
      const before = await progressOf(page);
      const r = await h.submitForm(page, done.first(), worklistPath);
      assert.equal(r.status(), 303, `"Klar" #${clicks + 1} answers 303`);
      clicks += 1;
      const now = await progressOf(page);
      assert.equal(now.done, before.done + 1, `each "Klar" counts one more (${before.done} → ${now.done})`);
    }
    assert.equal(clicks, maxClicks, 'one "Klar" per open item');
    await page.goto(worklistPath);
    const end = await progressOf(page);
    assert.deepEqual(end, { done: end.total, total: start.total, percent: 100 }, 'everything resolved');
    const complete = page.getByRole('status').filter({ hasText: 'Allt är klart' });
    assert.equal(await complete.count(), 1, 'the page says "Allt är klart"');
    assert.equal(await page.getByRole('button', { name: 'Klar', exact: true }).count(), 0, 'no "Klar" left');
    const skipped = await statusOf(itemRow(page, state.skippedItem));
    assert.match(skipped, SKIPPED_STATE_RE, `the skipped item stayed skipped: ${skipped}`);
    assert.ok(skipped.includes(state.skippedItem.reason), 'with its reason');
    const reopened = await statusOf(itemRow(page, state.doneItem));
    assert.match(reopened, DONE_STATE_RE, `the reopened item is done again: ${reopened}`);
    state.completed = true;
  } finally {
    await context.close();
  }
});

test('the municipality sees its own worklist only', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-kommun');
    await page.goto(`/outages/${outageId}`);
    const link = page.getByRole('link', { name: 'Arbetslista för efterregistrering', exact: true });
    assert.equal(await link.count(), 1, 'the municipality has the worklist link too');
    await follow(page, link);
    assert.equal(h.pathOf(page.url()), worklistPath);
    const text = await h.bodyText(page);
    assert.ok(text.includes('Timrå kommun'), 'the unit is Timrå kommun');
    assert.ok(!text.includes(state.wardName), `the ward "${state.wardName}" is not named`);

    const headings = await lineHeadings(page);
    assert.ok(headings.length >= 1, 'the municipality has lines to work on');
    for (const heading of headings) {
      assert.match(heading, /^\S+ · Kommunen · /, `a municipality line: "${heading}"`);
    }
    const nothing = page.getByRole('region', { name: /^Inget att efterregistrera/ });
    for (const item of await nothing.getByRole('listitem').allInnerTexts()) {
      assert.match(item.replace(/\s+/g, ' '), /^\S+ · Kommunen: /, `a municipality nothing-to-enter line: "${item}"`);
    }
    // The ward's work is not the municipality's progress.
    const progress = await progressOf(page);
    assert.ok(progress.done < progress.total, `the municipality's own items are still open: ${JSON.stringify(progress)}`);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Allt är klart' }).count(), 0);

    // Working on one of the ward's items by hand is refused.
    assert.ok(state.doneItem && state.doneItem.key, 'the previous tests noted a ward item');
    const forged = await page.request.post(worklistPath, {
      form: { csrf: await h.csrfToken(page), key: state.doneItem.key, action: 'reopen', reason: 'E2E förfalskad', page: '1' },
      headers: { Origin: server.url, Referer: `${server.url}${worklistPath}` },
      maxRedirects: 0,
    });
    assert.ok(forged.status() >= 400, `demo-kommun reopening a ward item is refused, got ${forged.status()}`);
  } finally {
    await context.close();
  }

  // ... and the ward's item is unchanged.
  const wardContext = await h.newContext(browser, server.url);
  try {
    const page = await openWorklistAs(wardContext, 'demo-clinician');
    assert.match(await statusOf(itemRow(page, state.doneItem)), DONE_STATE_RE, 'the ward item is still done');
  } finally {
    await wardContext.close();
  }
});

test('the unit manager reads the completion report: the ward at 100 %, the chart, the CSV', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  assert.ok(state.completed, 'the ward finished its worklist in an earlier test');
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-manager');
    await page.goto(`/outages/${outageId}`);
    const section = page.getByRole('region', { name: 'Efterregistrering', exact: true });
    assert.equal(await section.getByRole('progressbar').count(), 1, 'the outage page shows the progress');
    assert.equal(
      await section.getByRole('img', { name: /^Efterregistrerade rader över tid/ }).count(),
      1,
      'the outage page shows the chart',
    );
    const reportLink = section.getByRole('link', { name: 'Slutrapport och statistik', exact: true });
    assert.equal(await reportLink.count(), 1, 'the unit manager is offered "Slutrapport och statistik"');
    await follow(page, reportLink);
    assert.equal(h.pathOf(page.url()), `/outages/${outageId}/report`);
    assert.match(await page.locator('h1').innerText(), /slutrapport/i);

    // Progress per unit: the ward at 100 %.
    const units = page.getByRole('table', { name: 'Framsteg per enhet', exact: true });
    assert.equal(await units.count(), 1, 'a table "Framsteg per enhet"');
    const columns = (await units.getByRole('columnheader').allInnerTexts()).map((t) => t.trim());
    const percentCol = columns.indexOf('%');
    const openCol = columns.indexOf('Kvar');
    assert.ok(percentCol > 0 && openCol > 0, `columns "%" and "Kvar": ${JSON.stringify(columns)}`);
    const wardRow = units.getByRole('row').filter({ has: page.getByRole('rowheader', { name: state.wardName, exact: true }) });
    assert.equal(await wardRow.count(), 1, `a row for "${state.wardName}" in ${JSON.stringify(await units.innerText())}`);
    // The row header is column 0; the cells are the other columns.
    const cells = (await wardRow.getByRole('cell').allInnerTexts()).map((t) => t.trim());
    assert.equal(cells[percentCol - 1], '100', `the ward is at 100 %: ${JSON.stringify(cells)}`);
    assert.equal(cells[openCol - 1], '0', `nothing left for the ward: ${JSON.stringify(cells)}`);

    // The chart of resolved lines over time.
    const chart = page.getByRole('img', { name: /^Efterregistrerade rader över tid/ });
    assert.equal(await chart.count(), 1, 'the report has the chart');
    assert.equal(await chart.evaluate((el) => el.tagName.toLowerCase()), 'svg');
    assert.ok(await chart.isVisible(), 'the chart is visible');
    const figure = page.getByRole('figure').filter({ hasText: 'Efterregistrerade rader över tid' });
    const caption = /(\d+) av (\d+)/.exec(await figure.innerText());
    assert.ok(caption && Number(caption[1]) >= state.totalItems, `the chart counts at least the ward's resolved items: ${await figure.innerText()}`);

    // Statistics per municipality.
    const stats = page.getByRole('table', { name: 'Statistik per kommun', exact: true });
    assert.equal(await stats.getByRole('rowheader', { name: 'Timrå kommun', exact: true }).count(), 1, 'statistics for Timrå kommun');

    // The CSV download, with the page's cookies.
    const csvLink = page.getByRole('link', { name: /CSV/ });
    assert.equal(await csvLink.count(), 1, 'a CSV link');
    const href = await csvLink.getAttribute('href');
    assert.equal(new URL(href, server.url).pathname, `/outages/${outageId}/statistics.csv`);
    const csv = await page.request.get(href);
    assert.equal(csv.status(), 200, 'GET statistics.csv');
    assert.match(csv.headers()['content-type'] || '', /^text\/csv/);
    assert.match(csv.headers()['content-disposition'] || '', /attachment/);
    const body = await csv.text();
    assert.ok(body.startsWith('\uFEFF'), 'the CSV starts with a byte-order mark (for Excel)');
    const lines = body.replace(/^\uFEFF/, '').split(/\r\n/).filter((l) => l.length > 0);
    const header = lines[0].split(';');
    assert.deepEqual(header.slice(0, 3), ['Kommun', 'Typ', 'Meddelande eller rad'], `the CSV header in Swedish: ${lines[0]}`);
    assert.ok(lines.length >= 2, 'the CSV has data rows');
    assert.ok(lines.some((l) => l.split(';')[0] === 'Timrå kommun'), `the CSV has rows for Timrå: ${lines.slice(0, 5).join(' | ')}`);
    assert.ok(lines.some((l) => l.split(';')[13] === 'kommun-timra'), 'the municipality id follows in its own column');

    // A logged-out browser gets no statistics.
    const anon = await h.newContext(browser, server.url);
    try {
      const r = await anon.request.get(href, { maxRedirects: 0 });
      assert.ok(r.status() >= 300 && !(await r.text()).includes('Kommun;'), `logged out: no CSV, got ${r.status()}`);
    } finally {
      await anon.close();
    }
  } finally {
    await context.close();
  }
});

test('axe: the back-entry pages have no violations', { timeout: h.TEST_TIMEOUT_MS }, async (t) => {
  const clinician = await h.newContext(browser, server.url);
  const kommun = await h.newContext(browser, server.url);
  const manager = await h.newContext(browser, server.url);
  try {
    const ward = await clinician.newPage();
    await h.loginByName(ward, 'demo-clinician');
    const town = await kommun.newPage();
    await h.loginByName(town, 'demo-kommun');
    const boss = await manager.newPage();
    await h.loginByName(boss, 'demo-manager');

    const scan = async (name, page, path) => {
      await t.test(`axe: ${name} (${path})`, async () => {
        const r = await page.goto(path);
        assert.equal(r.status(), 200, `GET ${path}`);
        await h.checkA11y(page, `${name} (${path})`);
      });
    };
    await scan('worklist, all resolved (ward)', ward, worklistPath);
    await scan('worklist, items open (municipality)', town, worklistPath);
    await scan('completion report', boss, `/outages/${outageId}/report`);
    await scan('ended outage with back-entry progress and chart', boss, `/outages/${outageId}`);
    await scan('worklist (unit manager)', boss, worklistPath);

    await t.test('axe: worklist with an error (422)', async () => {
      await ward.goto(worklistPath);
      assert.ok(state.doneItem, 'a ward item from the earlier tests');
      const row = itemRow(ward, state.doneItem);
      const r = await act(ward, row, 'Återöppna', '');
      assert.equal(r.status(), 422);
      await h.checkA11y(ward, 'worklist with an error (422)');
    });
  } finally {
    await clinician.close();
    await kommun.close();
    await manager.close();
  }
});

// The error message on a refused change links to the reason field of the
// very item that was refused, so a nurse with many lines finds it.
test('the error message on the worklist links to the reason field', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await openWorklistAs(context, 'demo-clinician');
    assert.ok(state.doneItem, 'a ward item from the earlier tests');
    const r = await act(page, itemRow(page, state.doneItem), 'Återöppna', '');
    assert.equal(r.status(), 422);
    const links = page.getByRole('alert').getByRole('link');
    assert.ok(await links.count() >= 1, 'the error message links to the field');
    for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      assert.ok(href.startsWith('#'), `an in-page link: ${href}`);
      const id = decodeURIComponent(href.slice(1));
      const target = await page.evaluate((x) => !!document.getElementById(x), id);
      assert.ok(target, `the error link ${href} leads to an element on the page`);
    }
  } finally {
    await context.close();
  }
});
