// The web UI's browser test, run by tests/browser/test_ui.py against a real daemon that read
// tests/data/enrich/enrich.pcap with the GeoIP test databases:
//   log in as admin/admin, be sent to the password form, change the password, log in again,
//   see the dashboard's charts draw with data, open a host page (geolocation shown), filter and
//   sort the flows, visit the other pages, log out.
// A host named with markup (set by the test script t/set_name.lua through
// ntop.setResolvedAddress) must show as text everywhere and never become an element.
// Environment: BASE_URL, ARTIFACTS (directory for screenshots), XSS_IP, XSS_NAME.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, logIn, waitForChartData } from './common.mjs';

const base = process.env.BASE_URL;
const artifacts = process.env.ARTIFACTS || 'test-artifacts';
const xssIp = process.env.XSS_IP;
const xssName = process.env.XSS_NAME;
const NEW_PASSWORD = 'n3w-Secret!';
fs.mkdirSync(artifacts, { recursive: true });

const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('dialog', (d) => d.accept());
const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
const step = (text) => console.log(`- ${text}`);

// Nothing injected: no image element anywhere, and the hook never ran.
async function assertNoInjection() {
  const found = await page.evaluate(() => ({ imgs: document.querySelectorAll('img').length, hook: window.__xss === 1 }));
  assert.equal(found.imgs, 0, 'an <img> element appeared: markup from a host name was parsed');
  assert.equal(found.hook, false, 'the injected handler ran');
}

try {
  step('a page without a session leads to the login form');
  await page.goto(`${base}/lua/index.lua`);
  assert.match(page.url(), /\/lua\/login\.lua\?referer=/);
  await shot('01-login');

  step('admin/admin is sent to the password form');
  await logIn(page, 'admin', 'admin');
  assert.match(page.url(), /\/lua\/change_password\.lua/);
  await shot('02-change-password');

  step('the password is changed, then used to log in');
  await page.fill('input[name=old_password]', 'admin');
  await page.fill('input[name=new_password]', NEW_PASSWORD);
  await page.fill('input[name=confirm_password]', NEW_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(page.url(), /\/lua\/login\.lua\?changed=1/);
  await logIn(page, 'admin', NEW_PASSWORD);
  assert.match(page.url(), /\/lua\/index\.lua/);

  step('a host gets a name with markup');
  const set = await page.goto(`${base}/lua/t/set_name.lua`);
  assert.equal(set.status(), 200, await set.text());

  step('the dashboard draws its charts with data');
  await page.goto(`${base}/lua/index.lua`);
  await waitForChartData(page, 'throughput');
  await waitForChartData(page, 'apps');
  const painted = await page.evaluate(() => [...document.querySelectorAll('#chart-throughput canvas, #chart-apps canvas')].map((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n += 1;
    return n;
  }));
  assert.ok(painted.length >= 2 && painted.every((n) => n > 0), `empty chart canvas: ${painted}`);
  await page.waitForSelector('#card-hosts:not(:text("–"))');
  await page.getByRole('link', { name: xssName, exact: true }).first().waitFor();
  await assertNoInjection();
  await page.waitForTimeout(1500); // a few more points on the line
  await shot('03-dashboard');

  step('the host page shows the name as text, the location, applications and flows');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: xssName, exact: true }).first().click()]);
  assert.match(page.url(), /host_details\.lua\?.*host=/);
  await page.waitForSelector('#host-facts dd');
  const facts = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#host-facts dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  assert.equal(facts.Address, xssIp);
  assert.equal(facts.Name, xssName);
  assert.equal(facts.Country, 'GB');
  assert.equal(facts.City, 'London');
  assert.equal(await page.textContent('#card-name'), xssName);
  await waitForChartData(page, 'host-apps');
  await page.waitForFunction(() => document.querySelectorAll('main section:last-of-type tbody tr td:not(.empty)').length > 0, null, { timeout: 15000 });
  await waitForChartData(page, 'host');
  await assertNoInjection();
  await shot('04-host');

  step('the flows table filters by L4 protocol, application and host, and sorts');
  await page.goto(`${base}/lua/flows_stats.lua`);
  await page.waitForSelector('#flows-count:not(:empty)');
  const all = Number((await page.textContent('#flows-count')).match(/\d+/)[0]);
  await page.selectOption('select[name=l4proto]', '17');
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction((n) => {
    const m = document.querySelector('#flows-count').textContent.match(/\d+/);
    return m && Number(m[0]) < n;
  }, all);
  const l4 = await page.$$eval('table.data tbody tr', (rows) => rows.map((r) => r.children[1].textContent));
  assert.ok(l4.length > 0 && l4.every((x) => x === 'UDP'), `L4 filter: ${l4}`);
  await page.fill('input[name=application]', 'DNS');
  await page.fill('input[name=host]', '192.168.1.10');
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get('application') === 'DNS');
  await page.waitForFunction(() => [...document.querySelectorAll('table.data tbody tr')].every((r) => r.children[0].textContent.startsWith('DNS')));
  await page.click('th button[data-sort=bytes]'); // bytes, now ascending
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get('sortOrder') === 'asc');
  const bytes = await page.$$eval('table.data tbody tr', (rows) => rows.map((r) => r.lastElementChild.textContent));
  assert.ok(bytes.length >= 2, `DNS flows of the host: ${bytes}`);
  await shot('05-flows');

  step('the other pages draw');
  await page.goto(`${base}/lua/hosts_stats.lua`);
  await page.waitForSelector('table.data tbody tr td a.host');
  await assertNoInjection();
  await shot('06-hosts');
  await page.goto(`${base}/lua/if_stats.lua`);
  await waitForChartData(page, 'interface');
  await page.waitForSelector('#if-facts dd');
  await shot('07-interface');
  await page.goto(`${base}/lua/admin/users.lua`);
  await page.waitForSelector('table.data tbody tr td:text("admin")');
  await shot('08-users');
  await page.goto(`${base}/lua/admin/prefs.lua`);
  await page.fill('input[name=rows_per_page]', '10');
  await page.click('button[type=submit]');
  await page.waitForSelector('#prefs-note:text("Saved.")');
  await page.goto(`${base}/lua/api_tokens.lua`);
  await page.click('#create-token');
  await page.waitForSelector('pre.token');
  assert.match(await page.textContent('pre.token'), /^[0-9a-f]{32}$/);
  await shot('09-token');

  step('logging out ends the session');
  await page.click('.user-menu summary');
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  assert.match(page.url(), /\/lua\/login\.lua/);
  await page.goto(`${base}/lua/index.lua`);
  assert.match(page.url(), /\/lua\/login\.lua\?referer=/);
  await shot('10-logged-out');

  assert.deepEqual(pageErrors, [], 'script errors in the pages');
  console.log('ok: web UI browser test passed');
} catch (e) {
  await shot('failure').catch(() => {});
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
