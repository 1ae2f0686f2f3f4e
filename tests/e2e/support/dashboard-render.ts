// Draws the Grafana dashboard's panels as plain SVG line charts from Prometheus's answers, and
// screenshots them: a picture of what each panel shows, for docs/operations.md, where Grafana
// cannot run. Not Grafana's rendering: one line per series, no units, state timelines as lines.
import type { Page } from '@playwright/test'
import type { DashboardPanel } from '../../support/ops-kit'
import type { Prometheus, RangeSeries } from './prometheus'

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f']
const W = 560
const H = 200

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
const legend = (format: string | undefined, labels: Record<string, string>) =>
  (format ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? '') || JSON.stringify(labels)

function chart(series: { name: string; points: [number, number][] }[], start: number, end: number): string {
  const values = series.flatMap((s) => s.points.map(([, v]) => v))
  const min = Math.min(0, ...values)
  const max = Math.max(...values, min + 1e-9)
  const x = (t: number) => ((t - start) / (end - start)) * W
  const y = (v: number) => H - ((v - min) / (max - min)) * (H - 10) - 5
  const lines = series.map(
    (s, i) =>
      `<polyline fill="none" stroke-width="2" stroke="${COLORS[i % COLORS.length]}" points="${s.points
        .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ')}"/>`,
  )
  const axis = `<text x="2" y="12" class="axis">${max.toPrecision(3)}</text><text x="2" y="${H - 2}" class="axis">${min.toPrecision(3)}</text>`
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="#fafafa" stroke="#ddd"/>${lines.join('')}${axis}</svg>`
}

export async function renderDashboard(
  page: Page,
  prometheus: Prometheus,
  { panels, start, end, file }: { panels: DashboardPanel[]; start: number; end: number; file: string },
): Promise<void> {
  const cards: string[] = []
  for (const panel of panels) {
    const series: { name: string; points: [number, number][] }[] = []
    for (const target of panel.targets ?? []) {
      const answer: RangeSeries[] = await prometheus.queryRange(target.expr, start, end, 1)
      for (const s of answer) {
        const points = s.values
          .map(([t, v]) => [t, Number(v)] as [number, number])
          .filter(([, v]) => Number.isFinite(v))
        if (points.length > 0) series.push({ name: legend(target.legendFormat, s.metric), points })
      }
    }
    const keys = series
      .map((s, i) => `<li><span style="background:${COLORS[i % COLORS.length]}"></span>${escape(s.name)}</li>`)
      .join('')
    cards.push(
      `<section><h2>${escape(panel.title)}</h2>${chart(series, start, end)}<ul>${keys}</ul>` +
        `<code>${escape((panel.targets ?? []).map((t) => t.expr).join('\n'))}</code></section>`,
    )
  }
  const seconds = Math.round(end - start)
  await page.setViewportSize({ width: 1200, height: 800 })
  // Off the app's origin: its Content-Security-Policy would refuse this page's inline styles.
  await page.goto('about:blank')
  await page.setContent(`<!doctype html><html><head><style>
    body { font: 13px system-ui, sans-serif; margin: 16px; color: #222 }
    main { display: grid; grid-template-columns: repeat(2, ${W + 20}px); gap: 12px }
    section { border: 1px solid #ddd; padding: 8px }
    h1 { font-size: 18px } h2 { font-size: 14px; margin: 0 0 6px }
    ul { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 11px }
    li span { display: inline-block; width: 10px; height: 10px; margin-right: 4px }
    code { white-space: pre-wrap; font-size: 10px; color: #555 } .axis { font-size: 10px; fill: #555 }
  </style></head><body><h1>Signalbox dashboard panels, drawn from a real Prometheus (${seconds} s of test traffic, one point a second)</h1>
  <main>${cards.join('')}</main></body></html>`)
  await page.screenshot({ path: file, fullPage: true })
}
