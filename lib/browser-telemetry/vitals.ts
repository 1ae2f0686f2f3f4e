// Web Vitals through Google's web-vitals library, loaded with import() after hydration: its
// chunk is fetched when the page is idle and never counts toward first-load JS
// (scripts/first-load-js.mjs). Each metric is reported when its value is final (LCP, CLS and
// INP when the page is hidden), which is when beacon.ts sends.
import type { VitalEntry } from './schema'

/** One vital as web-vitals reports it; the page it belongs to is added by collect.ts. */
export type Vital = Pick<VitalEntry, 'name' | 'value' | 'rating' | 'id' | 'navigationType'>

/** Calls `report` with each vital of this page load, once its value is final. */
export async function collectVitals(report: (vital: Vital) => void): Promise<void> {
  const { onCLS, onFCP, onINP, onLCP, onTTFB } = await import('web-vitals')
  const forward = ({ name, value, rating, id, navigationType }: Vital) =>
    report({ name, value, rating, id, navigationType })
  for (const on of [onCLS, onFCP, onINP, onLCP, onTTFB]) on(forward)
}
