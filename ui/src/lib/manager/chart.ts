// KPI tiles and the takings-by-hour chart, scaled with integers only: bar heights and shares
// are computed on BigInt minor units, so a year of takings never becomes a float on the way.

import type { HourBucket, Kpis, Method, Money } from "../api";
import { METHODS } from "./filters";

/** `minor * size / max`, rounded down, on integers (0 when max is 0). */
export function scale(minor: number, max: number, size: number): number {
  if (max <= 0 || minor <= 0) return 0;
  return Number((BigInt(minor) * BigInt(size)) / BigInt(max));
}

/** The axis top: the smallest 1, 2 or 5 × 10^k (in minor units) at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 0;
  let step = 1n;
  const m = BigInt(max);
  for (;;) {
    for (const k of [1n, 2n, 5n]) if (k * step >= m) return Number(k * step);
    step *= 10n;
  }
}

export interface Bar {
  method: Method;
  minor: number;
  y: number; // from the top of the plot
  h: number;
}
export interface HourColumn {
  hour_ms: number;
  label: string; // "09:00"
  total: number;
  bars: Bar[];
}
export interface ChartModel {
  columns: HourColumn[];
  top: number; // minor units at the top of the axis
  methods: Method[]; // methods present, in the legend's order
  height: number;
}

export function hourLabel(ms: number): string {
  return `${String(new Date(ms).getHours()).padStart(2, "0")}:00`;
}

/** Stacked columns, one per hour with takings, methods stacked in `METHODS` order. */
export function chartModel(buckets: readonly HourBucket[], height: number): ChartModel {
  const byHour = new Map<number, Map<Method, number>>();
  for (const b of buckets) {
    const h = byHour.get(b.hour_ms) ?? new Map<Method, number>();
    h.set(b.method, (h.get(b.method) ?? 0) + b.amount.minor);
    byHour.set(b.hour_ms, h);
  }
  const hours = [...byHour.keys()].sort((a, b) => a - b);
  const totals = hours.map((h) => [...(byHour.get(h)?.values() ?? [])].reduce((a, x) => a + x, 0));
  const top = niceMax(Math.max(0, ...totals));
  const present = new Set<Method>();
  const columns = hours.map((hour, i) => {
    const per = byHour.get(hour) ?? new Map<Method, number>();
    let below = 0; // minor units already stacked
    const bars: Bar[] = [];
    for (const method of METHODS) {
      const minor = per.get(method) ?? 0;
      if (minor <= 0) continue;
      present.add(method);
      // Heights from cumulative sums so the stack never drifts by rounding.
      const yBottom = height - scale(below, top, height);
      const yTop = height - scale(below + minor, top, height);
      bars.push({ method, minor, y: yTop, h: yBottom - yTop });
      below += minor;
    }
    return { hour_ms: hour, label: hourLabel(hour), total: totals[i] ?? 0, bars };
  });
  return { columns, top, methods: METHODS.filter((m) => present.has(m)), height };
}

/** Whole percent of `part` in `whole` (rounded down), for the by-method tiles. */
export function percent(part: number, whole: number): number {
  return scale(part, whole, 100);
}

export interface Tile {
  key: "kpi_received" | "kpi_pending" | "kpi_failed" | "kpi_refunded" | "kpi_unmatched";
  money: Money;
  count: number;
  tone: "ok" | "info" | "error" | "warn" | "calm";
}

export function tiles(k: Kpis): Tile[] {
  return [
    { key: "kpi_received", money: k.received, count: k.received_count, tone: "ok" },
    { key: "kpi_pending", money: k.pending, count: k.pending_count, tone: "info" },
    { key: "kpi_failed", money: k.failed, count: k.failed_count, tone: "error" },
    { key: "kpi_refunded", money: k.refunded, count: k.refunded_count, tone: "warn" },
    { key: "kpi_unmatched", money: k.unmatched, count: k.unmatched_count, tone: "calm" },
  ];
}
