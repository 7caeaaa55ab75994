'use strict';
// Acknowledging a notification ("kvittera"). In demo mode Reserv writes the
// demo's e-mail to files in <data>/demo-mail instead of sending it; the test
// reads the message to IT from there, opens its acknowledgement link in a
// browser that is not logged in (the page shows the message and a button,
// and passes axe), acknowledges, and then, logged in as IT, sees on the
// outage's page that Demo IT-förvaltning has acknowledged and the
// escalation is no longer needed.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('acknowledge');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** Waits for the demo e-mail to `address` and returns its text. */
async function demoMail(address) {
  const dir = path.join(server.dataDir, 'demo-mail');
  for (let i = 0; i < 100; i += 1) {
    if (fs.existsSync(dir)) {
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        if (text.includes(`<${address}>`)) return text;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no demo e-mail to ${address} in ${dir}; server output:\n${server.output().slice(-3000)}`);
}

test('IT acknowledges the outage e-mail through its link, and the outage page shows it', { timeout: h.TEST_TIMEOUT_MS }, async () => {
  const mail = await demoMail('it-jour@example.org');
  assert.ok(mail.includes('Subject: Driftstörning: Lifecare SP går inte att nå'), mail);
  const m = /(http:\/\/127\.0\.0\.1:\d+\/ack\/[0-9a-f]{64})/.exec(mail);
  assert.ok(m, `the e-mail carries an acknowledgement link:\n${mail}`);
  const link = m[1];
  assert.equal(new URL(link).origin, server.url, 'the link points at this server');

  const context = await h.newContext(browser, server.url);
  try {
    const page = await context.newPage();
    // Opening the link (as a mail scanner would) acknowledges nothing.
    const r = await page.goto(link);
    assert.equal(r.status(), 200);
    assert.equal(await page.locator('h1').innerText(), 'Kvittera meddelande');
    const text = await h.bodyText(page);
    assert.ok(text.includes('Lifecare SP går inte att nå'), text);
    assert.ok(text.includes('Demo IT-förvaltning'), 'the page names the recipient');
    await h.checkA11y(page, 'the acknowledgement page');
    const button = page.getByRole('button', { name: 'Jag har tagit emot meddelandet' });
    assert.equal(await button.count(), 1);
    const post = await h.submitForm(page, button, h.pathOf(link));
    assert.equal(post.status(), 200);
    assert.equal(await page.getByRole('status').innerText(), 'Tack! Meddelandet är kvitterat.');
    assert.ok((await h.bodyText(page)).includes('Kvitterat av Demo IT-förvaltning'));
    assert.equal(await page.getByRole('button', { name: 'Jag har tagit emot meddelandet' }).count(), 0, 'no second button');
    await h.checkA11y(page, 'the acknowledgement page, acknowledged');
  } finally {
    await context.close();
  }

  const it = await h.newContext(browser, server.url);
  try {
    const page = await it.newPage();
    await h.login(page, 'demo-it');
    await page.goto('/');
    const a = page.locator('article.outage.ongoing h3 a', { hasText: 'Lifecare SP' }).first();
    await page.goto(await a.getAttribute('href'));
    const section = page.locator('section#messages');
    await section.waitFor();
    assert.equal(await section.locator('h2').innerText(), 'Utskick och kvittenser');
    const row = section.locator('tr', { hasText: 'it-jour@example.org' });
    assert.ok((await row.innerText()).includes('Kvitterat av Demo IT-förvaltning'), await row.innerText());
    // Others have not acknowledged, and the failures say why.
    const sectionText = (await section.innerText()).replace(/\s+/g, ' ');
    assert.ok(sectionText.includes('Inte kvitterat:'), sectionText);
    assert.ok(sectionText.includes('SMS är inte konfigurerat'), sectionText);
    assert.ok(sectionText.includes('saknar e-postadress'), sectionText);
    await h.checkA11y(page, 'the outage page with its messages');
  } finally {
    await it.close();
  }
});
