'use strict';
// Transcribing the paper downtime form: five paper lines typed with the
// keyboard only (the keystrokes are counted and printed, never asserted), the
// paper mode's signer and transcriber on screen, in print and in the API,
// impossible facts refused at the field with the input kept, field-level error
// markup, axe-core on the forms with errors in both languages, and Enter in
// every text field of every form doing that form's own primary action.
//
// The figure for BENCHMARKS.md:
//   cargo build -p reserv && cd tests/e2e && \
//     RESERV_BIN=$CARGO_TARGET_DIR/debug/reserv node --test transcription.test.js
// prints "transcription: N keystrokes per call (…)".

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

const PATIENT = '19410923-9824'; // demo: municipality told of the admission, primary care not
const SIGNER = 'Eva Ek';
const SIGNER_TITLE = 'usk';

let server;
let browser;
let episodeId;

before(async () => {
  server = await h.startServer('transcription');
  browser = await h.launchBrowser();
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    await page.goto('/episodes');
    const link = page.getByRole('link', { name: PATIENT, exact: true }).first();
    const href = await link.getAttribute('href');
    episodeId = /\/episodes\/([^/?#]+)$/.exec(href)[1];
  } finally {
    await context.close();
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** A keyboard that counts every key it presses. */
function countingKeyboard(page) {
  let n = 0;
  return {
    async press(key, times = 1) {
      for (let i = 0; i < times; i++) {
        n += 1;
        await page.keyboard.press(key);
      }
    },
    async type(text) {
      n += text.length;
      await page.keyboard.type(text);
    },
    get count() {
      return n;
    },
  };
}

/** The id of the focused element, once the browser has run `autofocus` (at its next rendering). */
async function focusedId(page) {
  await page.waitForFunction(() => document.activeElement && document.activeElement !== document.body, null, { timeout: 2000 }).catch(() => {});
  return page.evaluate(() => document.activeElement && document.activeElement.id);
}

/** Press Enter (counted) and wait for the POST and the page it leads to. */
async function enterAndWait(page, kb, postPath) {
  const responseP = page.waitForResponse((r) => r.request().method() === 'POST' && h.pathOf(r.url()) === postPath);
  const loadP = page.waitForEvent('load');
  await kb.press('Enter');
  const [response] = await Promise.all([responseP, loadP]);
  return response;
}

/** `HHMM` Stockholm time, `minutesAgo` before now (never before today's 00:00). */
function clockAgo(minutesAgo) {
  const [, hh, mm] = /T(\d\d):(\d\d)$/.exec(h.localDateTime(new Date()));
  const m = Math.max(0, Number(hh) * 60 + Number(mm) - minutesAgo);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}`;
}

function todayLocal() {
  return h.localDateTime(new Date()).slice(0, 10);
}

async function apiToken(context) {
  const r = await context.request.post('/api/v1/auth/token', {
    data: { username: 'demo-clinician', password: h.PASSWORD },
  });
  assert.ok(r.ok(), `POST /api/v1/auth/token answers 2xx, got ${r.status()}`);
  return (await r.json()).token;
}

test('five paper lines transcribed with the keyboard only, signer and transcriber kept', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    await page.goto(`/episodes/${episodeId}?paper=1`);
    const form = page.locator('form#entry-form');
    // The paper mode asks for the paper's signer first (autofocus).
    assert.equal(await focusedId(page), 'f-paper_signer_name', 'the paper mode opens with the focus on the signer');
    const setup = countingKeyboard(page);
    await setup.type(SIGNER);
    await setup.press('Tab');
    await setup.type(SIGNER_TITLE);
    await setup.press('Tab'); // the date: today by default
    assert.equal(await focusedId(page), 'f-date');
    assert.equal(await page.locator('#f-date').inputValue(), todayLocal(), 'the date is today by default');
    await setup.press('Tab');
    assert.equal(await focusedId(page), 'f-at', 'then the time');

    // Which organisation is which for this patient: its own parties come first.
    const options = await form.locator('#f-counterpart_org option').evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent })));
    assert.equal(options[0].value, '', 'the counterpart starts at "Välj …" unless this patient suggests one');
    const municipality = options.find((o) => /\(Kommunen\)/.test(o.text));
    const primaryCare = options.find((o) => /\(Hälsocentralen\)/.test(o.text));
    assert.ok(municipality && primaryCare, `the patient's municipality and primary-care centre are offered: ${JSON.stringify(options.slice(0, 5))}`);
    assert.ok(options.indexOf(municipality) <= 3 && options.indexOf(primaryCare) <= 3, 'the patient\'s own parties come first');

    const lines = [
      { time: clockAgo(50), direction: 'given', org: municipality, name: 'Anna Berg', numbers: '1 2', messages: ['Inskrivning', 'Beräknat utskrivningsdatum'] },
      { time: clockAgo(45).replace(/^(\d\d)(\d\d)$/, '$1:$2'), direction: 'received', org: municipality, name: 'Anna Berg', numbers: '6', messages: ['Aktuella insatser'] },
      { time: clockAgo(40), direction: 'given', org: primaryCare, name: 'Per Holm', numbers: '1', messages: ['Inskrivning'] },
      { time: clockAgo(35), direction: 'received', org: primaryCare, name: 'Per Holm', numbers: '8 6', messages: ['Fast vårdkontakt', 'Aktuella insatser'] },
      { time: clockAgo(30), direction: 'given', org: municipality, name: 'Lisa Ek', numbers: '3 5', messages: ['Planeringsunderlag', 'Utskrivningsklar'] },
    ];
    const perCall = [];
    const started = Date.now();
    for (const [i, line] of lines.entries()) {
      const kb = countingKeyboard(page);
      assert.equal(await focusedId(page), 'f-at', `line ${i + 1}: the focus is on the time`);
      await kb.type(line.time);
      await kb.press('Tab');
      // The direction: a radio group, one tab stop, none chosen yet.
      assert.equal(await form.locator('input[name="direction"]:checked').count(), 0, `line ${i + 1}: no direction chosen in advance`);
      if (line.direction === 'given') await kb.press('Space');
      else await kb.press('ArrowDown');
      await kb.press('Tab');
      assert.equal(await focusedId(page), 'f-counterpart_org', `line ${i + 1}: then the counterpart`);
      const selected = await page.locator('#f-counterpart_org').evaluate((s) => s.selectedIndex);
      const target = options.indexOf(line.org);
      if (target > selected) await kb.press('ArrowDown', target - selected);
      if (target < selected) await kb.press('ArrowUp', selected - target);
      assert.equal(await page.locator('#f-counterpart_org').inputValue(), line.org.value, `line ${i + 1}: counterpart chosen`);
      await kb.press('Tab');
      assert.equal(await focusedId(page), 'f-counterpart_name');
      if ((await page.locator('#f-counterpart_name').inputValue()) !== line.name) await kb.type(line.name);
      await kb.press('Tab');
      assert.equal(await focusedId(page), 'f-messages', `line ${i + 1}: the messages are one tab stop after the name`);
      await kb.type(line.numbers);
      const r = await enterAndWait(page, kb, `/episodes/${episodeId}/entries`);
      assert.equal(r.status(), 303, `line ${i + 1}: saved (303), got ${r.status()}: ${r.status() === 303 ? '' : (await page.getByRole('alert').allInnerTexts()).join(' | ')}`);
      assert.equal(await page.getByRole('status').filter({ hasText: 'sparat' }).count(), 1, `line ${i + 1}: the page says the call is saved`);
      perCall.push(kb.count);
    }
    const seconds = (Date.now() - started) / 1000;
    const mean = perCall.reduce((a, b) => a + b, 0) / perCall.length;
    console.log(
      `transcription: ${mean.toFixed(1)} keystrokes per call (${perCall.join(', ')}; ${setup.count} once for the signer), ` +
        `${(seconds / lines.length).toFixed(2)} s per call with the browser driven by the test`,
    );

    // Each line stored right: in the log, signed on paper and entered by the clinician.
    const rows = await page.locator('table.log tbody tr').filter({ hasText: SIGNER }).allInnerTexts();
    assert.equal(rows.length, lines.length, `five paper lines in the log: ${rows.join('\n')}`);
    for (const line of lines) {
      const hhmm = line.time.replace(':', '').replace(/^(\d\d)(\d\d)$/, '$1:$2');
      const row = rows.find((r) => r.includes(`${todayLocal()} ${hhmm}`) && r.includes(line.name) && line.messages.every((m) => r.includes(m)));
      assert.ok(row, `a row for ${hhmm} ${line.name} ${line.messages.join(', ')}: ${rows.join('\n')}`);
      const given = /Lämna/.test(row);
      const received = /Tog emot|Mottag/.test(row);
      assert.ok(line.direction === 'given' ? given && !received : received && !given, `direction of ${hhmm}: ${row}`);
      assert.ok(row.includes(`${SIGNER}, ${SIGNER_TITLE} (signerat på papper)`), `signed on paper: ${row}`);
      assert.match(row, /Införd av: \S/, `the transcriber is shown: ${row}`);
    }

    // In print.
    await page.goto(`/episodes/${episodeId}/print`);
    const printed = await h.bodyText(page);
    assert.ok(printed.includes(`${SIGNER}, ${SIGNER_TITLE} (signerat på papper)`), 'the printout names the paper signer');
    assert.ok(/Införd av: \S/.test(printed), 'the printout names the transcriber');

    // In the API: the signer with the entry, the author is the transcriber.
    const token = await apiToken(context);
    const api = await context.request.get(`/api/v1/episodes/${episodeId}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(api.status(), 200);
    const entries = (await api.json()).entries.filter((e) => e.paper_signer);
    assert.equal(entries.length, lines.length, 'the API returns the paper signer of each line');
    for (const e of entries) {
      assert.deepEqual(e.paper_signer, { name: SIGNER, title: SIGNER_TITLE });
      assert.notEqual(e.author_name, SIGNER, 'the author is the transcriber');
    }

    // A correction keeps the paper signer.
    await page.goto(`/episodes/${episodeId}`);
    const correct = page.locator('table.log tbody tr').filter({ hasText: SIGNER }).first().getByRole('link', { name: 'Rätta' });
    await correct.click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('#f-paper_signer_name').inputValue(), SIGNER, 'the correction form keeps the signer');
    assert.equal(await page.locator('#f-paper_signer_title').inputValue(), SIGNER_TITLE);
  } finally {
    await context.close();
  }
});

test('the paper mode requires the signer, at the field', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    await page.goto(`/episodes/${episodeId}?paper=1`);
    const form = page.locator('form#entry-form');
    await page.locator('#f-paper_signer_title').fill('ssk');
    await page.locator('#f-at').fill(clockAgo(20));
    await form.locator('input[name="direction"][value="given"]').check();
    await page.locator('#f-counterpart_org').selectOption({ index: 1 });
    await page.locator('#f-counterpart_name').fill('Anna Berg');
    await page.locator('#f-messages').fill('1');
    // Leave out the browser's own check to see the server's answer.
    await page.evaluate(() => document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required')));
    const kb = countingKeyboard(page);
    await page.locator('#f-messages').focus();
    const r = await enterAndWait(page, kb, `/episodes/${episodeId}/entries`);
    assert.equal(r.status(), 422);
    await assertFieldError(page, 'f-paper_signer_name', 'e-paper_signer_name', /Signerat på papper av.*fyllas i/);
    assert.equal(await page.locator('#f-paper_signer_title').inputValue(), 'ssk', 'the typed title is kept');
    assert.equal(await page.locator('#f-counterpart_name').inputValue(), 'Anna Berg', 'the typed name is kept');
    assert.equal(await focusedId(page), 'f-paper_signer_name', 'the page opens at the field with the error (focus)');
  } finally {
    await context.close();
  }
});

/** The field carries aria-invalid, points at its message, and the message stands above it. */
async function assertFieldError(page, fieldId, messageId, re) {
  const field = page.locator(`#${fieldId}`);
  assert.equal(await field.getAttribute('aria-invalid'), 'true', `#${fieldId} is aria-invalid`);
  const describedBy = (await field.getAttribute('aria-describedby')) || '';
  assert.ok(describedBy.split(/\s+/).includes(messageId), `#${fieldId} aria-describedby names #${messageId}: "${describedBy}"`);
  const message = await page.locator(`#${messageId}`).innerText();
  assert.match(message, re, `the message at the field: ${message}`);
  const above = await page.evaluate(
    ([f, m]) => Boolean(document.getElementById(m).compareDocumentPosition(document.getElementById(f)) & Node.DOCUMENT_POSITION_FOLLOWING),
    [fieldId, messageId],
  );
  assert.ok(above, `the message #${messageId} stands above #${fieldId}`);
  const border = await field.evaluate((e) => getComputedStyle(e).borderTopColor);
  assert.notEqual(border, 'rgb(0, 0, 0)', `#${fieldId} gets the error colour: ${border}`);
}

function localInput(date) {
  return h.localDateTime(date);
}

test('impossible facts are refused at the field with the input kept (call, update, registration)', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    const before = await logLength(page);

    // The call: a time that is not a time, then one in the future.
    await page.goto(`/episodes/${episodeId}`);
    const form = page.locator('form#entry-form');
    const fillCall = async (time) => {
      await page.locator('#f-at').fill(time);
      await form.locator('input[name="direction"][value="given"]').check();
      await page.locator('#f-counterpart_org').selectOption({ index: 1 });
      await page.locator('#f-counterpart_name').fill('Anna Berg');
      await page.locator('#f-messages').fill('1');
      const kb = countingKeyboard(page);
      await page.locator('#f-messages').focus();
      return enterAndWait(page, kb, `/episodes/${episodeId}/entries`);
    };
    let r = await fillCall('2460');
    assert.equal(r.status(), 422, 'an impossible time is refused');
    await assertFieldError(page, 'f-at', 'e-at', /Tidpunkt för samtalet: ogiltigt/);
    assert.equal(await page.locator('#f-at').inputValue(), '2460', 'the typed time is kept');
    assert.equal(await page.locator('#f-messages').inputValue(), '1', 'the typed numbers are kept');
    assert.equal(h.pathOf(page.url()), `/episodes/${episodeId}/entries`);
    assert.equal(await focusedId(page), 'f-at', 'the page opens at the field with the error (focus)');
    await h.checkA11y(page, 'call form with an error [sv]');

    if (clockAgo(0) < '2350') {
      r = await fillCall('2359');
      assert.equal(r.status(), 422, 'a call in the future is refused');
      await assertFieldError(page, 'f-at', 'e-at', /framtiden/);
      assert.equal(await page.locator('#f-at').inputValue(), '2359');
    }

    // Unknown message numbers are named at the field.
    await page.goto(`/episodes/${episodeId}`);
    await page.locator('#f-at').fill(clockAgo(2));
    await form.locator('input[name="direction"][value="given"]').check();
    await page.locator('#f-counterpart_org').selectOption({ index: 1 });
    await page.locator('#f-counterpart_name').fill('Anna Berg');
    await page.locator('#f-messages').fill('1 17');
    const kb = countingKeyboard(page);
    await page.locator('#f-messages').focus();
    r = await enterAndWait(page, kb, `/episodes/${episodeId}/entries`);
    assert.equal(r.status(), 422, 'message number 17 is refused');
    await assertFieldError(page, 'f-messages', 'e-messages', /17/);

    // The episode's update: a discharge in the future, a five-digit year.
    const tomorrow = new Date(Date.now() + 26 * 3600_000);
    const future = localInput(tomorrow);
    const updated = await submitUpdate(page, { discharged_at: future });
    assert.equal(updated.status(), 422, 'a discharge in the future is refused');
    await assertFieldError(page, 'u-discharged_at', 'e-discharged_at', /Utskriven: tiden ligger i framtiden/);
    assert.equal(await page.locator('#u-discharged_at').inputValue(), future, 'the typed discharge time is kept');
    assert.equal(new URL(page.url()).hash, '#update', 'the page is re-rendered at the form');
    await h.checkA11y(page, 'update form with an error [sv]');

    const fiveDigits = `20260-${future.slice(5)}`;
    const y = await submitUpdate(page, { discharged_at: fiveDigits });
    assert.equal(y.status(), 422, 'a five-digit year is refused');
    await assertFieldError(page, 'u-discharged_at', 'e-discharged_at', /fler än fyra siffror/);
    assert.equal(await page.locator('#u-discharged_at').inputValue(), fiveDigits, 'the typed value is kept');

    // The registration: admitted in a five-digit year.
    await page.goto('/episodes/new');
    await page.locator('#f-patient_id').fill('19121212-1212');
    await page.locator('#f-municipality').selectOption({ index: 1 });
    await page.locator('#f-primary_care').selectOption({ index: 1 });
    await setValue(page, '#f-admitted_at', '20261-01-02T10:00');
    const reg = await submitWith(page, '#f-patient_id', '/episodes');
    assert.equal(reg.status(), 422);
    await assertFieldError(page, 'f-admitted_at', 'e-admitted_at', /Inskriven: året har fler än fyra siffror/);
    assert.equal(await page.locator('#f-admitted_at').inputValue(), '20261-01-02T10:00', 'the typed value is kept');
    assert.equal(await page.locator('#f-patient_id').inputValue(), '19121212-1212', 'the other fields are kept');
    await h.checkA11y(page, 'registration with an error [sv]');

    // In English too.
    await page.goto('/lang/en');
    await page.goto('/episodes/new');
    await page.locator('#f-patient_id').fill('19121212-1212');
    await page.locator('#f-municipality').selectOption({ index: 1 });
    await page.locator('#f-primary_care').selectOption({ index: 1 });
    await setValue(page, '#f-admitted_at', '20261-01-02T10:00');
    await submitWith(page, '#f-patient_id', '/episodes');
    await assertFieldError(page, 'f-admitted_at', 'e-admitted_at', /more than four digits/);
    await h.checkA11y(page, 'registration with an error [en]');
    await submitUpdate(page, { discharged_at: future });
    await assertFieldError(page, 'u-discharged_at', 'e-discharged_at', /future/);
    await h.checkA11y(page, 'update form with an error [en]');
    await page.goto(`/episodes/${episodeId}?paper=1`);
    await page.locator('#f-at').fill('99');
    await page.evaluate(() => document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required')));
    await submitWith(page, '#f-at', `/episodes/${episodeId}/entries`);
    assert.equal(await page.locator('[aria-invalid="true"]').count() >= 1, true, 'an English error at a field');
    await h.checkA11y(page, 'call form with an error [en]');
    await page.goto('/lang/sv');

    // Nothing impossible was stored.
    const after = await logLength(page);
    const stored = await page.locator('table.log tbody tr').allInnerTexts();
    assert.ok(!stored.some((t) => t.includes('20260') || t.includes('2359')), 'no impossible entry in the log');
    assert.ok(after >= before);
  } finally {
    await context.close();
  }
});

async function logLength(page) {
  await page.goto(`/episodes/${episodeId}`);
  return page.locator('table.log tbody tr').count();
}

/** Set a value the way a person's typing leaves it (the browser keeps what it accepts). */
async function setValue(page, selector, value) {
  await page.locator(selector).evaluate((e, v) => {
    e.value = v;
  }, value);
}

/** Press Enter in `selector` and wait for the POST to `postPath` and the resulting page. */
async function submitWith(page, selector, postPath) {
  await page.locator(selector).focus();
  return enterAndWait(page, countingKeyboard(page), postPath);
}

async function submitUpdate(page, values) {
  await page.goto(`/episodes/${episodeId}`);
  for (const [name, value] of Object.entries(values)) await setValue(page, `#u-${name}`, value);
  return submitWith(page, '#u-designated_care_contact', `/episodes/${episodeId}/update`);
}

// ---------------------------------------------------------------------------
// Enter in every text field of every form.

const TEXT_TYPES = ['text', 'search', 'email', 'tel', 'url', 'password', 'number', 'date', 'datetime-local', 'time', ''];

/**
 * On the current page, press Enter in each text field of each POST or GET
 * form and record which form submits and with which button; the submission
 * itself is stopped so that the walk stays on the page.
 */
async function enterInEveryField(page) {
  await page.evaluate(() => {
    window.__submits = [];
    // The browser's own required-field check would stop the submission
    // before it starts; what is looked at here is which form and button
    // Enter sets off.
    document.querySelectorAll('form').forEach((f) => {
      f.noValidate = true;
    });
    document.addEventListener(
      'submit',
      (e) => {
        window.__submits.push({
          form: [...document.forms].indexOf(e.target),
          submitter: e.submitter ? [...e.target.querySelectorAll('button, input[type=submit]')].indexOf(e.submitter) : -1,
          action: e.submitter && e.submitter.name === 'action' ? e.submitter.value : (e.target.elements.action && e.target.elements.action.value) || '',
        });
        e.preventDefault();
      },
      true,
    );
  });
  const fields = await page.evaluate((types) => {
    const out = [];
    [...document.forms].forEach((f, fi) => {
      [...f.elements].forEach((el, ei) => {
        if (el.tagName === 'INPUT' && types.includes(el.getAttribute('type') || '') && !el.disabled && el.offsetParent !== null) {
          const buttons = [...f.querySelectorAll('button, input[type=submit]')];
          const firstSubmit = buttons.findIndex((b) => b.type === 'submit');
          const submits = buttons.filter((b) => b.type === 'submit').length;
          out.push({ form: fi, element: ei, name: el.name, id: el.id, firstSubmit, submits });
        }
      });
    });
    return out;
  }, TEXT_TYPES);
  const results = [];
  for (const f of fields) {
    await page.evaluate(({ form, element }) => {
      window.__submits = [];
      document.forms[form].elements[element].focus();
    }, f);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(20);
    const submits = await page.evaluate(() => window.__submits);
    results.push({ ...f, submitButtons: f.submits, submits });
  }
  return results;
}

async function sameOriginLinks(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('a[href]')]
      .map((a) => new URL(a.href, location.href))
      .filter((u) => u.origin === location.origin)
      .map((u) => u.pathname + u.search),
  );
}

test('Enter in every text field of every form submits that field\'s own form with its primary action', { timeout: h.TEST_TIMEOUT_MS * 2 }, async () => {
  const problems = [];
  const visited = new Set();
  let checked = 0;
  for (const user of ['demo-clinician', 'demo-it', 'demo-kommun']) {
    const context = await h.newContext(browser, server.url);
    try {
      const page = await context.newPage();
      await h.loginByName(page, user);
      const seen = new Set();
      const queue = ['/', '/episodes', '/episodes/new', `/episodes/${episodeId}`, `/episodes/${episodeId}?paper=1`, '/gaps', '/contacts', '/outages/new', '/users', '/systems'];
      while (queue.length && seen.size < 60) {
        const path = queue.shift();
        // One page per kind for episodes and routines (there are many), every outage.
        const key = path
          .replace(/^\/episodes\/[0-9a-f-]{36}/, '/episodes/:id')
          .replace(/correct=[0-9a-f-]{36}/, 'correct=:id')
          .replace(/^\/routines\/.*/, '/routines/:system')
          .replace(/\?page=\d+/, '');
        if (seen.has(key) || /\/(lang|logout|static)\b|\.(csv|ics|atom|pdf)\b|\/print\b/.test(path)) continue;
        seen.add(key);
        visited.add(key);
        const r = await page.goto(path);
        if (!r || r.status() >= 400 || !(r.headers()['content-type'] || '').includes('text/html')) continue;
        for (const link of await sameOriginLinks(page)) queue.push(link);
        for (const f of await enterInEveryField(page)) {
          checked += 1;
          const what = `${user} ${path} field "${f.name || f.id}"`;
          if (f.submitButtons > 1) {
            problems.push(`${what}: its form has ${f.submitButtons} submit buttons, so Enter can only ever do one of them`);
          } else if (f.submits.length !== 1) {
            problems.push(`${what}: Enter made ${f.submits.length} submissions`);
          } else if (f.submits[0].form !== f.form) {
            problems.push(`${what}: Enter submitted another form (#${f.submits[0].form}, not #${f.form})`);
          } else if (f.submits[0].submitter !== f.firstSubmit && f.firstSubmit !== -1) {
            problems.push(`${what}: Enter pressed button #${f.submits[0].submitter}, not the form's first (#${f.firstSubmit})`);
          }
        }
      }
    } finally {
      await context.close();
    }
  }
  console.log(`Enter checked in ${checked} text fields on ${visited.size} pages`);
  assert.ok([...visited].some((p) => /\/worklist$/.test(p)), `the walk reached a worklist: ${[...visited].join(' ')}`);
  assert.ok(checked > 20, `text fields were found and checked (${checked})`);
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('Enter in the worklist\'s skip reason skips that item and nothing else', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-clinician');
    const token = await apiToken(context);
    const outages = await context.request.get('/api/v1/outages', { headers: { Authorization: `Bearer ${token}` } });
    const list = await outages.json();
    const ended = (Array.isArray(list) ? list : list.outages || []).filter((o) => o.system === 'lifecare-sp' && (o.restored_at || o.end));
    assert.ok(ended.length >= 1, 'the demo has an ended Lifecare SP outage');
    const worklist = `/outages/${ended[0].id}/worklist`;
    await page.goto(worklist);
    const reason = page.getByLabel('Anledning', { exact: true }).first();
    const item = reason.locator('xpath=ancestor::tr[1]');
    const itemId = await item.getAttribute('id');
    const stateBefore = await item.locator('strong.state').innerText();
    assert.match(stateBefore, /^Ej klar/, `an open item: ${stateBefore}`);
    const doneBefore = await page.locator('tr.item').filter({ has: page.locator('strong.state', { hasText: /^Klar/ }) }).count();

    // Enter without a reason: refused at the field, naming the patient; nothing done.
    await reason.focus();
    let r = await enterAndWait(page, countingKeyboard(page), worklist);
    assert.equal(r.status(), 422, 'skip without a reason: 422');
    assert.equal(new URL(page.url()).hash, `#${itemId}`, 'the page is re-rendered at the item');
    const alert = (await page.getByRole('alert').allInnerTexts()).join(' ');
    assert.match(alert, /\d{8}-\d{4}|RES-/, `the error names the patient: ${alert}`);
    await assertFieldError(page, `${itemId}-reason`, `${itemId}-error`, /Anledning/);
    await h.checkA11y(page, 'worklist with an error [sv]');
    const row = page.locator(`tr#${itemId}`);
    assert.match(await row.locator('strong.state').innerText(), /^Ej klar/, 'still open: Enter neither took nor finished it');

    // Enter with a reason: that item is skipped, nothing else changes.
    await row.getByLabel('Anledning', { exact: true }).fill('Redan registrerat i Lifecare SP');
    await row.getByLabel('Anledning', { exact: true }).focus();
    r = await enterAndWait(page, countingKeyboard(page), worklist);
    assert.equal(r.status(), 303, 'skip with a reason: 303');
    await page.goto(worklist);
    assert.match(await page.locator(`tr#${itemId} strong.state`).innerText(), /^Överhoppad/, 'the item is skipped');
    const doneAfter = await page.locator('tr.item').filter({ has: page.locator('strong.state', { hasText: /^Klar/ }) }).count();
    assert.equal(doneAfter, doneBefore, 'no item was marked done');
  } finally {
    await context.close();
  }
});
