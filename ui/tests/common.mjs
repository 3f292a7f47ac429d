// Shared by the browser test and the first-chart benchmark: Debian's chromium driven headless
// by playwright-core, and the login steps.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// Fills and submits the login form of the page (which must be /lua/login.lua).
export async function logIn(page, user, password) {
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

// Resolves once the named ECharts chart holds data in some series; answers its point count.
export async function waitForChartData(page, name, timeout = 15000) {
  const handle = await page.waitForFunction((n) => {
    const chart = window.flowlensCharts && window.flowlensCharts[n];
    if (!chart) return false;
    const count = (chart.getOption().series || []).reduce((s, x) => s + (x.data || []).length, 0);
    return count > 0 ? count : false;
  }, name, { timeout });
  return handle.jsonValue();
}
