'use strict';
// axe-core (WCAG 2.0/2.1 A and AA) on every page, in Swedish and in English,
// plus the page chrome every page must have (language links, lang attribute,
// logout form when logged in) and the language switch itself.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;
let ongoingId;
let endedId;

before(async () => {
  server = await h.startServer('accessibility');
  browser = await h.launchBrowser();

  // Two outages to look at: one ongoing, one ended. Fields are found by name
  // here so that a labelling bug shows up as an axe finding, not a setup error.
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.loginByName(page, 'demo-it');
    let r = await h.declareOutage(page, {
      system: 'lifecare-sp',
      kind: 'unplanned',
      scope: 'both',
      start: h.minutesFromNow(-15),
      expectedEnd: h.minutesFromNow(45),
      notice: 'E2E a11y: Lifecare SP ligger nere. Använd pappersjournal.',
      byName: true,
      confirmSameSystem: true,
    });
    assert.equal(r.status(), 303, 'setup: declare ongoing outage');
    ongoingId = h.outageIdFromUrl(page.url());
    r = await h.declareOutage(page, {
      system: 'melior',
      kind: 'unplanned',
      scope: 'region',
      start: h.minutesFromNow(-30),
      expectedEnd: h.minutesFromNow(30),
      notice: 'E2E a11y: Melior ligger nere.',
      byName: true,
    });
    assert.equal(r.status(), 303, 'setup: declare outage to end');
    endedId = h.outageIdFromUrl(page.url());
    r = await h.endOutage(page, endedId);
    assert.ok(r.status() < 400, 'setup: end outage');
    assert.ok(ongoingId && endedId, 'setup: outage ids');
  } finally {
    await context.close();
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** Two subtests per page: the axe scan, and the chrome every page must have. */
async function checkPage(t, page, name, { lang, loggedIn }) {
  const label = `${name} [${lang}] (${h.pathOf(page.url())})`;
  await t.test(`axe: ${label}`, async () => {
    await h.checkA11y(page, label);
  });
  await t.test(`page chrome: ${label}`, async () => {
    const htmlLang = await page.locator('html').getAttribute('lang');
    assert.ok(htmlLang && htmlLang.toLowerCase().startsWith(lang), `<html lang> is "${lang}", got ${JSON.stringify(htmlLang)}`);
    // The links go to /lang/en and /lang/sv (a query such as ?next=/path may follow).
    const english = page.locator('a[href="/lang/en"], a[href^="/lang/en?"]');
    const swedish = page.locator('a[href="/lang/sv"], a[href^="/lang/sv?"]');
    assert.ok(await english.count() >= 1, 'has a link to /lang/en');
    assert.ok(await swedish.count() >= 1, 'has a link to /lang/sv');
    assert.equal((await english.first().innerText()).trim(), 'English');
    assert.equal((await swedish.first().innerText()).trim(), 'Svenska');
    const logoutForm = page.locator('form[method="post"][action="/logout"]');
    if (loggedIn) {
      assert.equal(await logoutForm.count(), 1, 'has the logout form');
      assert.equal(await logoutForm.locator('input[type="hidden"][name="csrf"]').count(), 1, 'logout form has a hidden csrf input');
      // "Logga ut" ends this session; "Logga ut överallt" (the same form, another action) every session and token.
      assert.equal(await logoutForm.locator('button:not([formaction]), input[type="submit"]:not([formaction])').count(), 1, 'logout form has one plain logout button');
      assert.equal(await logoutForm.locator('button[formaction="/logout/everywhere"]').count(), 1, 'logout form has the log-out-everywhere button');
    } else {
      assert.equal(await logoutForm.count(), 0, 'no logout form when logged out');
    }
  });
}

async function switchLanguage(page, lang) {
  const link = page.locator(`a[href="/lang/${lang}"], a[href^="/lang/${lang}?"]`).first();
  await Promise.all([page.waitForEvent('load'), link.click()]);
}

for (const lang of ['sv', 'en']) {
  test(`every page passes axe and has the page chrome (${lang})`, { timeout: h.TEST_TIMEOUT_MS }, async (t) => {
    // Logged out: /login, /login after a wrong password, /status.
    const anon = await h.newContext(browser, server.url);
    const it = await h.newContext(browser, server.url);
    try {
      const page = await anon.newPage();
      await page.goto('/login');
      if (lang === 'en') {
        await switchLanguage(page, 'en');
        await page.goto('/login');
      }
      await checkPage(t, page, 'login', { lang, loggedIn: false });

      const bad = await h.loginByName(page, 'demo-it', 'fel-lösenord');
      await t.test(`wrong password answers 401 [${lang}]`, () => assert.equal(bad.status(), 401));
      await checkPage(t, page, 'login with wrong password', { lang, loggedIn: false });

      await page.goto('/status');
      await checkPage(t, page, 'public status', { lang, loggedIn: false });

      // Logged in as IT: /, /outages/new, the form with errors, outage pages, /status.
      const itPage = await it.newPage();
      await h.loginByName(itPage, 'demo-it');
      assert.equal(h.pathOf(itPage.url()), '/', 'logged in');
      if (lang === 'en') {
        await switchLanguage(itPage, 'en');
        await itPage.goto('/');
      }
      await checkPage(t, itPage, 'status (logged in)', { lang, loggedIn: true });

      await itPage.goto('/outages/new');
      await checkPage(t, itPage, 'declare form', { lang, loggedIn: true });

      const invalid = await h.declareOutage(itPage, {
        system: 'prator',
        kind: 'planned',
        scope: 'municipalities',
        start: h.minutesFromNow(180),
        expectedEnd: h.minutesFromNow(120),
        notice: 'E2E a11y: felaktigt formulär',
        byName: true,
      });
      await t.test(`invalid declare form answers 422 [${lang}]`, () => assert.equal(invalid.status(), 422));
      await checkPage(t, itPage, 'declare form with errors (422)', { lang, loggedIn: true });

      await itPage.goto(`/outages/${ongoingId}`);
      await checkPage(t, itPage, 'ongoing outage', { lang, loggedIn: true });

      await itPage.goto(`/outages/${endedId}`);
      await checkPage(t, itPage, 'ended outage', { lang, loggedIn: true });

      await itPage.goto('/status');
      await checkPage(t, itPage, 'public status (logged in)', { lang, loggedIn: true });
    } finally {
      await anon.close();
      await it.close();
    }
  });
}

test('language switch: /lang/en and /lang/sv change the status page heading', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    await h.login(page, 'demo-it');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Driftläge');

    const english = page.getByRole('link', { name: 'English', exact: true });
    assert.equal(new URL(await english.getAttribute('href'), server.url).pathname, '/lang/en');
    await Promise.all([page.waitForEvent('load'), english.click()]);
    await page.goto('/');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Status');

    const swedish = page.getByRole('link', { name: 'Svenska', exact: true });
    assert.equal(new URL(await swedish.getAttribute('href'), server.url).pathname, '/lang/sv');
    await Promise.all([page.waitForEvent('load'), swedish.click()]);
    await page.goto('/');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Driftläge');
  } finally {
    await context.close();
  }
});
