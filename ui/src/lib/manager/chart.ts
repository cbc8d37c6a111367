// KPI tiles and the takings chart (one column per hour or per day, as the backend bucketed
// them), scaled with integers only: bar heights and shares are computed on BigInt minor units,
// so a year of takings never becomes a float on the way.

import type { ChartBucket, ChartBucketKind, Kpis, Language, Method, Money } from "../api";
import { translate, type MessageKey } from "../i18n";
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
export interface Column {
  start_ms: number;
  label: string; // "09:00" (hour) or "6 Dec" (day)
  total: number;
  bars: Bar[];
}
export interface ChartModel {
  columns: Column[];
  bucket: ChartBucketKind;
  top: number; // minor units at the top of the axis
  methods: Method[]; // methods present, in the legend's order
  height: number;
}

/** "09:00": the hour starting at `ms`, local time. */
export function hourLabel(ms: number): string {
  return `${String(new Date(ms).getHours()).padStart(2, "0")}:00`;
}

const MONTH_KEYS = [
  "mon_1", "mon_2", "mon_3", "mon_4", "mon_5", "mon_6", "mon_7", "mon_8", "mon_9", "mon_10", "mon_11", "mon_12",
] as const satisfies readonly MessageKey[];

/** "6 Dec" (sw "6 Des"): the day containing `ms`, local time. */
export function dayLabel(ms: number, lang: Language): string {
  const d = new Date(ms);
  return `${d.getDate()} ${translate(lang, MONTH_KEYS[d.getMonth()] ?? "mon_1")}`;
}

/** A column's label for its bucket kind. */
export function bucketLabel(ms: number, bucket: ChartBucketKind, lang: Language): string {
  return bucket === "day" ? dayLabel(ms, lang) : hourLabel(ms);
}

/** The chart's title for its bucket kind. */
export function chartTitleKey(bucket: ChartBucketKind): MessageKey {
  return bucket === "day" ? "chart_title_day" : "chart_title";
}

/**
 * Stacked columns, one per bucket (hour or day, as `bucket` says) with takings, methods stacked
 * in `METHODS` order. Buckets with the same start and method are summed.
 */
export function chartModel(buckets: readonly ChartBucket[], height: number, bucket: ChartBucketKind, lang: Language = "en"): ChartModel {
  const byStart = new Map<number, Map<Method, number>>();
  for (const b of buckets) {
    const h = byStart.get(b.start_ms) ?? new Map<Method, number>();
    h.set(b.method, (h.get(b.method) ?? 0) + b.amount.minor);
    byStart.set(b.start_ms, h);
  }
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  const totals = starts.map((h) => [...(byStart.get(h)?.values() ?? [])].reduce((a, x) => a + x, 0));
  const top = niceMax(Math.max(0, ...totals));
  const present = new Set<Method>();
  const columns = starts.map((start, i) => {
    const per = byStart.get(start) ?? new Map<Method, number>();
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
    return { start_ms: start, label: bucketLabel(start, bucket, lang), total: totals[i] ?? 0, bars };
  });
  return { columns, bucket, top, methods: METHODS.filter((m) => present.has(m)), height };
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
