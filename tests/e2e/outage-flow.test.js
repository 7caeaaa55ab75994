'use strict';
// The main story: IT declares an unplanned outage, everyone sees it, IT ends it.
// Run twice: as a normal browser, and with JavaScript disabled (the app is
// server-rendered and must work without it).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('outage-flow');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const VARIANTS = [
  // systemName: the name the contract fixes; otherwise the form's option text is used.
  // Lifecare SP is already down in the demo region: declaring it again asks for a confirmation.
  { name: 'with JavaScript', javaScriptEnabled: true, system: 'lifecare-sp', systemName: 'Lifecare SP', confirmSameSystem: true },
  { name: 'without JavaScript', javaScriptEnabled: false, system: 'prator', systemName: null },
];

for (const variant of VARIANTS) {
  test(`declare, publish, end an unplanned outage and log out (${variant.name})`, { timeout: h.TEST_TIMEOUT_MS }, async () => {
    const context = await h.newContext(browser, server.url, { javaScriptEnabled: variant.javaScriptEnabled });
    const publicContext = await h.newContext(browser, server.url, { javaScriptEnabled: variant.javaScriptEnabled });
    try {
      const page = await context.newPage();

      // Log in as IT application management.
      const loginResponse = await h.login(page, 'demo-it');
      const loginStatus = loginResponse.status();
      assert.ok(loginStatus >= 300 && loginStatus < 400, `POST /login answers a redirect, got ${loginStatus}`);
      assert.equal(h.pathOf(page.url()), '/', 'after login the browser is on /');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Driftläge');
      const idsBefore = await h.outageIdsOnPage(page);

      // Go to the form through the link IT users see.
      const newLink = page.getByRole('link', { name: 'Registrera avbrott' }).first();
      assert.equal(await newLink.getAttribute('href'), '/outages/new');
      await Promise.all([page.waitForEvent('load'), newLink.click()]);
      assert.equal(h.pathOf(page.url()), '/outages/new');
      const scopeText = (await page.locator('select[name="scope"] option[value="both"]').innerText()).trim();
      const optionText = (await page.locator(`select[name="system"] option[value="${variant.system}"]`).innerText()).trim();
      const systemName = variant.systemName ?? optionText;
      assert.equal(optionText, systemName, `the System option ${variant.system} reads "${systemName}"`);

      // Declare: unplanned, both principals, started a few minutes ago, expected back in an hour.
      const notice = `E2E ${variant.name}: ${systemName} är nere, använd reservrutin R-${Date.now()}`;
      const start = h.minutesFromNow(-5);
      const expectedEnd = h.minutesFromNow(55);
      const declareResponse = await h.declareOutage(page, {
        system: variant.system,
        kind: 'unplanned',
        scope: 'both',
        start,
        expectedEnd,
        notice,
        confirmSameSystem: variant.confirmSameSystem,
      });
      assert.equal(declareResponse.status(), 303, 'POST /outages answers 303 See Other');
      const match = /^\/outages\/([^/]+)$/.exec(h.pathOf(page.url()));
      assert.ok(match && match[1] !== 'new', `redirected to /outages/{id}, got ${page.url()}`);
      const id = match[1];
      assert.ok(!idsBefore.includes(id), 'the new outage has a new id');

      // The outage page.
      const heading = await page.locator('h1').innerText();
      assert.ok(heading.includes(systemName), `<h1> contains "${systemName}", got "${heading}"`);
      const detail = await h.bodyText(page);
      assert.match(detail, /Kort avbrott|Längre avbrott|Okänd längd/, 'outage page shows the class');
      assert.ok(detail.includes(scopeText), `outage page shows the scope ("${scopeText}")`);
      assert.ok(!detail.includes('Avslutat'), 'an ongoing outage is not shown as "Avslutat"');
      const timeline = page.locator('ol.timeline > li');
      const entriesBefore = await timeline.count();
      assert.ok(entriesBefore >= 1, 'timeline has at least the declaration');
      const endForm = page.locator(`form[method="post"][action="/outages/${id}/end"]`);
      assert.equal(await endForm.count(), 1, 'ongoing outage has the end form');

      // It is listed on the logged-in status page, linked with the system name as text.
      await page.goto('/');
      const link = page.locator(`a[href="/outages/${id}"]`).first();
      assert.ok(await page.locator(`a[href="/outages/${id}"]`).count() >= 1, `/ links to /outages/${id}`);
      assert.equal((await link.innerText()).trim(), systemName);

      // And on the public status page, without login, without the notice text.
      const publicPage = await publicContext.newPage();
      const publicResponse = await publicPage.goto('/status');
      assert.equal(publicResponse.status(), 200);
      assert.equal(h.pathOf(publicPage.url()), '/status', '/status needs no login');
      assert.equal((await publicPage.locator('h1').innerText()).trim(), 'Driftinformation');
      const publicText = await h.bodyText(publicPage);
      assert.ok(publicText.includes(systemName), `/status lists ${systemName}`);
      const startTime = start.slice(11);
      const endTime = expectedEnd.slice(11);
      assert.ok(
        publicText.includes(startTime) || publicText.includes(endTime),
        `/status shows the outage's times (${startTime} or ${endTime})`,
      );
      assert.ok(!publicText.includes(notice), '/status never shows the notice text');
      assert.ok(!(await publicPage.content()).includes(notice), '/status HTML does not contain the notice text');

      // Open the outage from the list and end it.
      await Promise.all([page.waitForEvent('load'), link.click()]);
      assert.equal(h.pathOf(page.url()), `/outages/${id}`);
      await page.getByLabel('Åter i drift').fill(h.minutesFromNow(0));
      const askResponse = await h.submitForm(page, page.getByRole('button', { name: 'Avsluta avbrott' }), `/outages/${id}/end`);
      assert.equal(askResponse.status(), 200, 'the first POST asks for a confirmation');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Avsluta avbrottet?');
      const endResponse = await h.submitForm(page, page.getByRole('button', { name: 'Ja, avsluta avbrottet' }), `/outages/${id}/end`);
      assert.ok(endResponse.status() < 400, `POST /outages/${id}/end succeeds, got ${endResponse.status()}`);
      assert.equal(h.pathOf(page.url()), `/outages/${id}`, 'back on the outage page after ending');
      assert.ok((await h.bodyText(page)).includes('Avslutat'), 'ended outage shows "Avslutat"');
      assert.equal(await timeline.count(), entriesBefore + 1, 'timeline gained one entry');
      assert.equal(await endForm.count(), 0, 'ended outage no longer offers the end form');

      // Log out; / then goes to /login, and the declare form is gone too.
      const logoutResponse = await h.logout(page);
      assert.ok(logoutResponse.status() < 400, `POST /logout succeeds, got ${logoutResponse.status()}`);
      const home = await page.goto('/');
      assert.equal(h.pathOf(page.url()), '/login', 'after logout / redirects to /login');
      assert.ok(home.request().redirectedFrom(), '/ was redirected');
      await page.goto('/outages/new');
      assert.equal(await page.locator('select[name="system"]').count(), 0, 'logged out: no declare form');
    } finally {
      await context.close();
      await publicContext.close();
    }
  });
}
