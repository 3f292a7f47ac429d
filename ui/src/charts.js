// Charts with Apache ECharts (only the parts used, bundled). Each chart registers itself in
// window.flowlensCharts by name, so that browser tests and the first-chart benchmark can read
// its series; performance mark "flowlens:first-chart" is set when the first chart with data
// has rendered.
import * as echarts from 'echarts/core';
import { LineChart, BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import * as fmt from './format.js';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

window.flowlensCharts = window.flowlensCharts || {};
let firstDrawn = false;

function register(name, chart) {
  window.flowlensCharts[name] = chart;
  chart.on('finished', () => {
    if (firstDrawn) return;
    const series = chart.getOption().series || [];
    if (series.some((s) => (s.data || []).length > 0)) {
      firstDrawn = true;
      performance.mark('flowlens:first-chart');
    }
  });
  new ResizeObserver(() => chart.resize()).observe(chart.getDom());
}

const COLORS = ['#2f6fb0', '#e07b39', '#3a9d5d', '#b04a6f', '#7b61c4', '#c9a227'];

// A time series chart of rates (bits per second): push(time_ms, [v1, v2 ...]) appends one point
// to each series and keeps the last `points`.
export function rateChart(el, name, seriesNames, points) {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const data = seriesNames.map(() => []);
  chart.setOption({
    color: COLORS,
    animation: false,
    grid: { left: 70, right: 20, top: 30, bottom: 30 },
    legend: { data: seriesNames, top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: fmt.bps },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', min: 0, minInterval: 1, axisLabel: { formatter: fmt.bps } },
    series: seriesNames.map((s) => ({ name: s, type: 'line', showSymbol: false, areaStyle: { opacity: 0.15 }, data: [] })),
  });
  register(name, chart);
  return {
    chart,
    push(t, values) {
      values.forEach((v, i) => {
        data[i].push([t, v]);
        if (data[i].length > points) data[i].shift();
      });
      chart.setOption({ series: data.map((d) => ({ data: d })) });
    },
  };
}

// A horizontal bar chart: set([{label, value}]) with values formatted by `format`.
export function barChart(el, name, format = fmt.bytes) {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({
    color: COLORS,
    animation: false,
    grid: { left: 130, right: 30, top: 10, bottom: 30, containLabel: false },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: format },
    xAxis: { type: 'value', axisLabel: { formatter: format } },
    yAxis: { type: 'category', inverse: true, data: [], axisLabel: { width: 120, overflow: 'truncate' } },
    series: [{ type: 'bar', data: [] }],
  });
  register(name, chart);
  return {
    chart,
    set(rows) {
      chart.setOption({
        yAxis: { data: rows.map((r) => r.label) },
        series: [{ data: rows.map((r) => r.value) }],
      });
    },
  };
}
