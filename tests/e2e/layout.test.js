'use strict';
// Every page on a phone: each demo role visits every GET page of the app at
// 360 × 740 px, in Swedish and in English, and no page scrolls sideways
// (document width ≤ window width; on failure the widest elements are named).
// Also: a checkbox or radio button stays on the line of its label, the
// favicon answers, ending an outage needs a confirmation, declaring a second
// outage of a system already down asks first, and the progress chart has
// axis labels and its figures as text.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');

const PHONE = { width: 360, height: 740 };
const ROLES = ['demo-it', 'demo-admin', 'demo-clinician', 'demo-psyk', 'demo-manager', 'demo-kommun', 'demo-hc', 'demo-auditor'];

let server;
let browser;
let ongoingId;
let endedId;
let drillId;
let ackLink;
let confirmLink;
let unsubscribeLink;

/** Waits for the demo e-mail to `address` that matches `re`; returns the match. */
async function demoMailLink(address, re) {
  const dir = path.join(server.dataDir, 'demo-mail');
  for (let i = 0; i < 100; i += 1) {
    if (fs.existsSync(dir)) {
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        const m = re.exec(text);
        if (text.includes(`<${address}>`) && m) return m[1];
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no demo e-mail to ${address} matching ${re}`);
}

before(async () => {
  server = await h.startServer('layout');
  browser = await h.launchBrowser();
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-it');
    // The demo's outages: the ongoing and the ended Lifecare SP outage.
    await page.goto('/');
    const ids = await h.outageIdsOnPage(page);
    for (const id of ids) {
      await page.goto(`/outages/${id}`);
      const ended = (await page.locator(`form[action="/outages/${id}/end"]`).count()) === 0;
      const drill = (await page.locator('.drill-banner').count()) > 0;
      if (ended && !drill && !endedId && (await page.locator(`a[href="/outages/${id}/worklist"]`).count()) > 0) endedId = id;
      if (!ended && !drill && !ongoingId) ongoingId = id;
    }
    // A drill, for the drill report.
    await page.goto('/outages/new');
    await page.locator('[name="system"]').selectOption('elvis');
    await page.locator('input[name="kind"][value="unplanned"]').check();
    await page.locator('[name="start"]').fill(h.minutesFromNow(-20));
    await page.locator('[name="notice"]').fill('Övning: ELVIS');
    await page.locator('input[name="drill"]').check();
    const r = await h.submitForm(page, page.locator('form[action="/outages"] [type="submit"]'), '/outages');
    assert.equal(r.status(), 303, 'setup: declare a drill');
    drillId = h.outageIdFromUrl(page.url());
    // A subscription, for its confirmation and unsubscribe pages.
    await page.goto('/status');
    await page.locator('form[action="/subscriptions"] [name="email"]').fill('layout@example.org');
    await h.submitForm(page, page.locator('form[action="/subscriptions"] [type="submit"]'), '/subscriptions');
    confirmLink = await demoMailLink('layout@example.org', /(http:\/\/127\.0\.0\.1:\d+\/subscriptions\/confirm\/[0-9A-Za-z_-]+)/);
    unsubscribeLink = await demoMailLink('layout@example.org', /(http:\/\/127\.0\.0\.1:\d+\/subscriptions\/unsubscribe\/[0-9A-Za-z_-]+)/);
    ackLink = await demoMailLink('it-jour@example.org', /(http:\/\/127\.0\.0\.1:\d+\/ack\/[0-9a-f]{64})/);
  } finally {
    await context.close();
  }
  assert.ok(ongoingId && endedId && drillId, `setup: outage ids (${ongoingId}, ${endedId}, ${drillId})`);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** Every GET page a logged-in person can open, with the ids of this run. */
async function pagesFor(page) {
  const list = [
    '/', '/status', '/calendar', '/systems', '/outages/new',
    `/outages/${ongoingId}`, `/outages/${endedId}`, `/outages/${drillId}`, `/outages/${ongoingId}/end`,
    `/outages/${endedId}/worklist`, `/outages/${endedId}/report`, `/outages/${drillId}/drill-report`,
    `/outages/${ongoingId}/checklist`, `/outages/${ongoingId}/checklist/unit`,
    `/outages/${ongoingId}/deviations`, `/outages/${ongoingId}/deviations/print`,
    '/episodes', '/episodes/new', '/episodes/print', '/gaps', '/forms/blank',
    '/contacts', '/contacts?q=kommun', '/contacts/print', '/routines/lifecare-sp', '/routines/prator',
    '/users', '/audit', '/nowhere', '/outages/not-an-id',
  ];
  // This person's episodes: the first two, their print views.
  await page.goto('/episodes');
  const episodes = await page.locator('a[href^="/episodes/"]').evaluateAll((as) =>
    [...new Set(as.map((a) => a.pathname).filter((p) => /^\/episodes\/[0-9a-f-]{36}$/.test(p)))].slice(0, 2));
  for (const e of episodes) list.push(e, `${e}/print`);
  return list;
}

/** The document's width against the window's, and the widest elements. */
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const doc = document.documentElement.scrollWidth;
    const culprits = [];
    if (doc > width) {
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 0.5 && r.width > 0) {
          const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
            (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : '');
          culprits.push({ name, right: Math.round(r.right), width: Math.round(r.width), text: (el.textContent || '').trim().slice(0, 60) });
        }
      }
      culprits.sort((a, b) => b.right - a.right);
    }
    return { width, doc, culprits: culprits.slice(0, 5) };
  });
}

async function checkNoSideways(t, page, label) {
  const o = await overflow(page);
  if (o.doc > o.width) {
    const who = o.culprits.map((c) => `${c.name} (right ${c.right}px, width ${c.width}px: "${c.text}")`).join('\n  ');
    assert.fail(`${label}: the page is ${o.doc}px wide in a ${o.width}px window; widest:\n  ${who}`);
  }
}

async function setLanguage(page, lang) {
  await page.goto(`/lang/${lang}`);
}

for (const lang of ['sv', 'en']) {
  test(`no page scrolls sideways at 360 px, logged out (${lang})`, { timeout: h.TEST_TIMEOUT_MS }, async (t) => {
    const context = await h.newContext(browser, server.url, { viewport: PHONE });
    try {
      const page = await context.newPage();
      await setLanguage(page, lang);
      const failures = [];
      for (const p of ['/login', '/status', '/calendar', '/nowhere', ackLink, confirmLink, unsubscribeLink,
        '/subscriptions/confirm/0000', '/ack/0000']) {
        await page.goto(p);
        try {
          await checkNoSideways(t, page, `${p} [${lang}, logged out]`);
        } catch (e) {
          failures.push(e.message);
        }
      }
      // The login form with an error.
      await h.loginByName(page, 'demo-it', 'fel-lösenord');
      try {
        await checkNoSideways(t, page, `login with a wrong password [${lang}]`);
      } catch (e) {
        failures.push(e.message);
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    } finally {
      await context.close();
    }
  });

  test(`no page scrolls sideways at 360 px for any role (${lang})`, { timeout: h.TEST_TIMEOUT_MS * 2 }, async () => {
    const failures = [];
    let visited = 0;
    for (const role of ROLES) {
      const context = await h.newContext(browser, server.url, { viewport: PHONE });
      try {
        const page = await context.newPage();
        await h.loginByName(page, role);
        await setLanguage(page, lang);
        for (const p of await pagesFor(page)) {
          await page.goto(p);
          visited += 1;
          const htmlLang = await page.locator('html').getAttribute('lang');
          if (htmlLang !== lang) failures.push(`${p} [${role}]: <html lang="${htmlLang}">, expected ${lang}`);
          try {
            await checkNoSideways(null, page, `${p} [${role}, ${lang}]`);
          } catch (e) {
            failures.push(e.message);
          }
        }
        // The declare form with the same-system warning, and with errors.
        if (role === 'demo-it') {
          await page.goto('/outages/new');
          await page.locator('[name="system"]').selectOption('lifecare-sp');
          await page.locator('[name="start"]').fill(h.minutesFromNow(-5));
          await h.submitForm(page, page.locator('form[action="/outages"] [type="submit"]'), '/outages');
          try {
            await checkNoSideways(null, page, `declare form with the same-system warning [${lang}]`);
          } catch (e) {
            failures.push(e.message);
          }
        }
      } finally {
        await context.close();
      }
    }
    assert.ok(visited > ROLES.length * 25, `visited ${visited} pages`);
    assert.deepEqual(failures, [], failures.join('\n'));
  });
}

test('report tables use the width of a desktop window', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-admin');
    await page.goto(`/outages/${endedId}/report`);
    const mainWidth = await page.locator('main').evaluate((m) => m.getBoundingClientRect().width);
    assert.ok(mainWidth > 1100, `the report uses the window (main is ${mainWidth}px wide at 1280px)`);
    const o = await overflow(page);
    assert.ok(o.doc <= o.width, `no sideways scrolling at 1280px: ${JSON.stringify(o.culprits)}`);
  } finally {
    await context.close();
  }
});

test('a checkbox or radio button stays on the line of its label at 360 px', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { viewport: PHONE });
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-it');
    const checked = [];
    for (const p of ['/outages/new', '/episodes/new', `/outages/${ongoingId}/deviations`, '/users', '/status']) {
      await page.goto(p);
      const pairs = await page.evaluate(() => {
        const out = [];
        for (const input of document.querySelectorAll('input[type="checkbox"], input[type="radio"]')) {
          const label = input.closest('label') || (input.id && document.querySelector(`label[for="${input.id}"]`));
          if (!label) continue;
          const box = input.getBoundingClientRect();
          // The first line of the label's own text.
          const range = document.createRange();
          const text = [...label.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
          const target = text || label;
          range.selectNodeContents(target);
          const line = range.getClientRects()[0] || label.getBoundingClientRect();
          out.push({ name: `${input.name}=${input.value}`, boxTop: box.top, boxBottom: box.bottom, boxRight: box.right, lineTop: line.top, lineBottom: line.bottom, lineLeft: line.left });
        }
        return out;
      });
      for (const q of pairs) {
        checked.push(q.name);
        const overlap = Math.min(q.boxBottom, q.lineBottom) - Math.max(q.boxTop, q.lineTop);
        assert.ok(overlap > 0, `${p}: the box of ${q.name} is on the line of its label (box ${q.boxTop}–${q.boxBottom}, text ${q.lineTop}–${q.lineBottom})`);
        assert.ok(q.lineLeft >= q.boxRight - 1, `${p}: the label of ${q.name} starts after its box`);
      }
    }
    assert.ok(checked.length >= 8, `checked ${checked.length} boxes`);
  } finally {
    await context.close();
  }
});

test('the favicon answers at /favicon.ico and /static/favicon.svg and every page links it', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  for (const p of ['/favicon.ico', '/static/favicon.svg']) {
    const r = await fetch(`${server.url}${p}`);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('content-type'), 'image/svg+xml', p);
    assert.match(r.headers.get('cache-control') || '', /max-age=\d+/, p);
    assert.match(await r.text(), /^<svg /, p);
  }
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-it');
    for (const p of ['/', '/login', '/episodes/print', '/contacts/print']) {
      await page.goto(p);
      assert.equal(await page.locator('link[rel="icon"]').getAttribute('href'), '/static/favicon.svg', p);
    }
  } finally {
    await context.close();
  }
});

test('ending an outage needs a confirmation; the first step ends nothing', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { viewport: PHONE });
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-it');
    const r = await h.declareOutage(page, {
      system: 'prator', kind: 'unplanned', scope: 'both', start: h.minutesFromNow(-10), expectedEnd: h.minutesFromNow(50),
      notice: 'PRATOR svarar inte', byName: true,
    });
    assert.equal(r.status(), 303);
    const id = h.outageIdFromUrl(page.url());
    // Update comes before end on the page.
    const order = await page.evaluate(() => [...document.querySelectorAll('form')].map((f) => new URL(f.action).pathname));
    assert.ok(order.indexOf(`/outages/${id}/amend`) < order.indexOf(`/outages/${id}/end`), `amend before end: ${order}`);
    // No notification plan covers PRATOR: the page says so instead of an empty table.
    assert.equal(await page.locator('#messages').count(), 1, 'the notification section is there');
    assert.equal((await page.locator('#messages .no-plan').innerText()).trim(), 'Ingen utskicksplan – ingen har aviserats.');
    assert.equal(await page.locator('#messages table').count(), 0);
    const form = page.locator(`form[action="/outages/${id}/end"]`);
    const first = await h.submitForm(page, form.locator('[type="submit"]'), `/outages/${id}/end`);
    assert.equal(first.status(), 200);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Avsluta avbrottet?');
    await checkNoSideways(null, page, 'the end confirmation');
    await h.checkA11y(page, 'the end confirmation');
    // Not ended yet.
    await page.goto(`/outages/${id}`);
    assert.equal(await page.locator(`form[action="/outages/${id}/end"]`).count(), 1, 'still ongoing after the first step');
    // GET shows the question too; going back ends nothing.
    await page.goto(`/outages/${id}/end`);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Avsluta avbrottet?');
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Tillbaka till avbrottet utan att avsluta' }).click()]);
    assert.equal(h.pathOf(page.url()), `/outages/${id}`);
    assert.equal(await page.locator(`form[action="/outages/${id}/end"]`).count(), 1, 'still ongoing after going back');
    // Confirming ends it.
    await page.goto(`/outages/${id}/end`);
    const done = await h.submitForm(page, page.getByRole('button', { name: 'Ja, avsluta avbrottet' }), `/outages/${id}/end`);
    assert.equal(done.status(), 303);
    assert.equal(h.pathOf(page.url()), `/outages/${id}`);
    assert.equal(await page.locator(`form[action="/outages/${id}/end"]`).count(), 0, 'ended after the confirmation');
    assert.ok((await h.bodyText(page)).includes('Avslutat'));
  } finally {
    await context.close();
  }
});

test('declaring a system that is already down asks for a confirmation first', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { viewport: PHONE });
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-it');
    await page.goto('/');
    const before = (await h.outageIdsOnPage(page)).length;
    const r = await h.declareOutage(page, {
      system: 'lifecare-sp', kind: 'unplanned', scope: 'both', start: h.minutesFromNow(-5), expectedEnd: h.minutesFromNow(60),
      notice: 'Lifecare SP svarar inte', byName: true,
    });
    assert.equal(r.status(), 409);
    const warning = page.locator('#same-system');
    assert.match(await warning.innerText(), /Lifecare SP har redan ett pågående avbrott/);
    assert.equal(await warning.locator(`a[href="/outages/${ongoingId}"]`).count(), 1, 'links the ongoing outage');
    assert.equal(await page.locator('[name="notice"]').inputValue(), 'Lifecare SP svarar inte', 'the typed input is kept');
    await h.checkA11y(page, 'the same-system warning');
    await page.goto('/');
    assert.equal((await h.outageIdsOnPage(page)).length, before, 'nothing was declared');
    // Confirmed: declared.
    const ok = await h.declareOutage(page, {
      system: 'lifecare-sp', kind: 'unplanned', scope: 'both', start: h.minutesFromNow(-5), expectedEnd: h.minutesFromNow(60),
      notice: 'Lifecare SP svarar inte', byName: true, confirmSameSystem: true,
    });
    assert.equal(ok.status(), 303);
    assert.ok(h.outageIdFromUrl(page.url()));
  } finally {
    await context.close();
  }
});

test('the progress chart has a count axis, distinct times and its figures as a table', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  let context = await h.newContext(browser, server.url, { viewport: PHONE });
  try {
    let page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    // Resolve one line of the worklist so the chart has something to show.
    await page.goto(`/outages/${endedId}/worklist`);
    const done = page.locator('div.work button[name="action"][value="done"]').first();
    assert.equal(await done.count(), 1, 'the worklist has a line to mark done');
    await h.submitForm(page, done, `/outages/${endedId}/worklist`);
    await context.close();
    context = await h.newContext(browser, server.url, { viewport: PHONE });
    page = await context.newPage();
    await h.loginByName(page, 'demo-admin');
    await page.goto(`/outages/${endedId}/report`);
    const chart = page.locator('figure.chart');
    assert.equal(await chart.count(), 1);
    assert.equal(await chart.locator('svg').count(), 1, 'the chart is drawn (a line was resolved)');
    const y = await chart.locator('.chart-y span').allInnerTexts();
    assert.ok(y.length >= 2 && y.every((v) => /^\d+$/.test(v.trim())), `y axis with counts: ${y}`);
    assert.equal(y[y.length - 1].trim(), '0');
    const x = (await chart.locator('.chart-x span').allInnerTexts()).map((s) => s.trim());
    assert.ok(x.length >= 1, 'x axis with times');
    assert.equal(new Set(x).size, x.length, `no repeated time labels: ${x}`);
    assert.ok(x.every((s) => /\d{1,2}:\d{2}$/.test(s)), `times: ${x}`);
    assert.match(await chart.locator('.chart-axis-name').first().innerText(), /Avklarade rader/);
    // The text alternative: a table with the figures.
    const table = chart.locator('details.chart-figures table');
    assert.equal(await table.count(), 1);
    assert.ok(await table.locator('tbody tr').count() >= 1);
    assert.ok((await chart.locator('svg').getAttribute('aria-label')).length > 10, 'the svg has a description');
    await checkNoSideways(null, page, 'the report with the chart');
    await h.checkA11y(page, 'the report with the chart');
  } finally {
    await context.close();
  }
});

test('a failed message reads "Misslyckades" in red, not grey like a sent one, and the table fits a phone', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url, { viewport: PHONE });
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-it');
    await page.goto(`/outages/${ongoingId}`);
    const failed = page.locator('#messages tr.msg-failed .msg-status').first();
    assert.equal(await failed.count(), 1, 'the demo outage has a message that failed (no address)');
    assert.equal((await failed.innerText()).trim(), 'Misslyckades');
    const colours = async (loc) => loc.evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.color, background: s.backgroundColor };
    });
    const f = await colours(failed);
    assert.equal(f.background, 'rgb(164, 0, 15)', 'a failed message is marked red');
    const sent = page.locator('#messages tr.msg-sent .msg-status').first();
    if (await sent.count()) {
      assert.notDeepEqual(await colours(sent), f, 'a sent message does not look like a failed one');
    }
    // Each cell says what it is when the table is stacked.
    const labels = await page.locator('#messages tbody tr').first().locator('td').evaluateAll((tds) => tds.map((td) => td.dataset.label));
    assert.deepEqual(labels, ['Meddelande', 'Kanal', 'Mottagare', 'Status', 'Kvittens']);
    await checkNoSideways(null, page, 'the notification table');
  } finally {
    await context.close();
  }
});
