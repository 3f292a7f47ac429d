// The first-chart figure for bench/ui_first_chart.py: milliseconds from navigation to the
// dashboard's first chart drawn with data (performance mark "flowlens:first-chart"), over RUNS
// fresh page loads. Environment: BASE_URL (a daemon with logins disabled), RUNS.
import { launch, waitForChartData } from './common.mjs';

const base = process.env.BASE_URL;
const runs = Number(process.env.RUNS || 5);
const browser = await launch();
const figures = [];
try {
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${base}/lua/index.lua`);
    await waitForChartData(page, 'throughput', 60000);
    await page.waitForFunction(() => performance.getEntriesByName('flowlens:first-chart').length > 0, null, { timeout: 60000 });
    figures.push(await page.evaluate(() => performance.getEntriesByName('flowlens:first-chart')[0].startTime));
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(figures));
