'use strict';
// A SIP agreed by phone during an outage, recorded on the episode page by
// primary care, reaches primary care's back-entry worklist as the formal
// invitation to send (seed 001: "Om ni under driftstoppet har kommit överens
// om datum för SIP per telefon, ska formell kallelse skickas via Lifecare SP
// när systemet är i drift igen"). A plan without a meeting is refused at the
// field and nothing is stored. Demo data only; one fresh server for the file.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

let server;
let browser;

before(async () => {
  server = await h.startServer('sip');
  browser = await h.launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** The ended demo Lifecare SP outage, and one episode on primary care's worklist for it (API setup). */
async function setup(context) {
  const tokenResponse = await context.request.post('/api/v1/auth/token', {
    data: { username: 'demo-hc', password: h.PASSWORD },
  });
  assert.ok(tokenResponse.ok(), `setup: token, got ${tokenResponse.status()}`);
  const { token } = await tokenResponse.json();
  const headers = { Authorization: `Bearer ${token}` };
  const outages = await (await context.request.get('/api/v1/outages', { headers })).json();
  const list = Array.isArray(outages) ? outages : outages.outages || outages.items || [];
  const ended = list.find((o) => o.system === 'lifecare-sp' && o.restored_at);
  assert.ok(ended, 'setup: the demo has an ended Lifecare SP outage');
  const worklist = await (await context.request.get(`/api/v1/outages/${ended.id}/worklist`, { headers })).json();
  assert.ok(worklist.lines.length > 0, 'setup: primary care has lines for the ended outage');
  const episode = worklist.lines[0].episode;
  const invitations = worklist.lines
    .filter((l) => l.episode === episode)
    .flatMap((l) => l.items)
    .filter((i) => i.code === 'send_sip_invitation');
  assert.equal(invitations.length, 0, 'setup: no SIP invitation before a SIP is recorded');
  return { outageId: ended.id, start: new Date(ended.start), episode, patient: worklist.lines[0].patient };
}

test('a SIP agreed by phone during the outage reaches primary care\'s worklist as an invitation to send', async () => {
  const context = await h.newContext(browser, server.url);
  try {
    const { outageId, start, episode } = await setup(context);
    const page = await context.newPage();
    await h.login(page, 'demo-hc');
    await page.goto(`/episodes/${episode}`);
    const section = page.locator('#sips');
    await assert.doesNotReject(section.getByText('Ingen SIP är registrerad för patienten.').waitFor());

    const at = (mins) => h.localDateTime(new Date(start.getTime() + mins * 60_000));
    const fill = async ({ withPlanOnly }) => {
      await page.locator('#s-sip_need_raised_by').selectOption('ward');
      await page.locator('#s-sip_initiated_at').fill(at(60));
      await page.locator('#s-sip_initiator').selectOption('primary_care');
      await section.getByRole('checkbox', { name: /Kommun/ }).check();
      await page.locator('#s-sip_meeting_on').fill('2030-01-15');
      await page.locator('#s-sip_agreed_at').fill(at(90));
      await section.getByRole('radio', { name: 'Telefon' }).check();
      if (withPlanOnly) await page.locator('#s-sip_goals').fill('Bo kvar hemma');
    };

    // A plan without a meeting: refused at the field, the form keeps what was typed.
    await fill({ withPlanOnly: true });
    let response = await h.submitForm(page, section.getByRole('button', { name: 'Spara SIP' }), `/episodes/${episode}/sips`);
    assert.equal(response.status(), 422, 'a plan without a meeting is refused');
    const fieldError = page.locator('#e-sip_goals');
    assert.match(await fieldError.innerText(), /SIP-plan görs på SIP-mötet/);
    assert.equal(await page.locator('#s-sip_goals').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#s-sip_goals').inputValue(), 'Bo kvar hemma', 'what was typed is kept');
    assert.equal(await page.locator('#s-sip_initiator').inputValue(), 'primary_care');
    assert.ok(await section.getByText('Ingen SIP är registrerad för patienten.').isVisible(), 'nothing was stored');

    // The SIP as agreed by phone: saved and shown.
    await page.locator('#s-sip_goals').fill('');
    response = await h.submitForm(page, section.getByRole('button', { name: 'Spara SIP' }), `/episodes/${episode}/sips`);
    assert.equal(response.status(), 303, 'the SIP is saved');
    await assert.doesNotReject(page.getByText('SIP:en är sparad.').waitFor());
    const sip = section.locator('article.sip');
    assert.equal(await sip.count(), 1);
    const text = await sip.innerText();
    assert.match(text, /SIP-mötet ej genomfört/);
    assert.match(text, /2030-01-15/);
    assert.match(text, /telefon/);

    // On paper too: the episode's printout carries the SIP.
    await page.goto(`/episodes/${episode}/print`);
    const printed = await h.bodyText(page);
    assert.match(printed, /SIP \(samordnad individuell plan\)/);
    assert.match(printed, /2030-01-15/);

    // Primary care's worklist: the invitation to send, with the date and the participants.
    await page.goto(`/outages/${outageId}/worklist`);
    const row = page.locator('tr.item', { hasText: 'Skicka kallelse till SIP' });
    assert.equal(await row.count(), 1, 'one invitation to send');
    const rowText = await row.innerText();
    assert.match(rowText, /Överenskommet mötesdatum: 2030-01-15/);
    assert.match(rowText, /Deltagare: .*Kommun/);
    assert.match(rowText, /Skicka kallelse till SIP där man har kommit överens om datum/);
    assert.ok(await row.getByRole('button', { name: 'Klar', exact: true }).isVisible(), 'a line to work on');
    await h.checkA11y(page, 'worklist with a SIP invitation');
    await page.goto(`/episodes/${episode}#sips`);
    await h.checkA11y(page, 'episode page with a SIP');
  } finally {
    await context.close();
  }
});
