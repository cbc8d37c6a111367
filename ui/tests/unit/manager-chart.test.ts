import { describe, expect, it } from "vitest";
import { chartModel, niceMax, percent, scale, tiles } from "../../src/lib/manager/chart";
import type { HourBucket, Kpis, Method } from "../../src/lib/api";
import { kes } from "./fixtures";

const H = 1_000_000; // an hour of ms, any base
const b = (hour: number, method: Method, minor: number): HourBucket => ({ hour_ms: hour * H, method, amount: kes(minor) });

describe("integer scaling", () => {
  it("scales on integers and rounds down", () => {
    expect(scale(1, 3, 100)).toBe(33);
    expect(scale(0, 10, 100)).toBe(0);
    expect(scale(5, 0, 100)).toBe(0);
    // Beyond 2^53 in the intermediate product: still exact.
    expect(scale(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 160)).toBe(160);
    expect(scale(4_503_599_627_370_495, 9_007_199_254_740_991, 160)).toBe(79);
  });

  it("rounds the axis up to 1, 2 or 5 × 10^k", () => {
    expect(niceMax(0)).toBe(0);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(56_500)).toBe(100_000);
    expect(niceMax(150_001)).toBe(200_000);
    expect(niceMax(200_000)).toBe(200_000);
  });

  it("whole percentages", () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(3, 3)).toBe(100);
    expect(percent(0, 0)).toBe(0);
  });
});

describe("takings chart", () => {
  it("stacks methods per hour in a fixed order; stacks end exactly at their total", () => {
    const m = chartModel([b(10, "card", 30_000), b(9, "mpesa_stk", 56_500), b(9, "cash", 31_500), b(10, "cash", 10_000)], 160);
    expect(m.top).toBe(100_000);
    expect(m.columns.map((c) => c.hour_ms)).toEqual([9 * H, 10 * H]);
    expect(m.columns[0]?.total).toBe(88_000);
    expect(m.columns[0]?.bars.map((x) => x.method)).toEqual(["cash", "mpesa_stk"]);
    expect(m.methods).toEqual(["cash", "mpesa_stk", "card"]);
    for (const c of m.columns) {
      const sum = c.bars.reduce((a, x) => a + x.h, 0);
      expect(sum).toBe(scale(c.total, m.top, 160));
      for (const x of c.bars) {
        expect(Number.isInteger(x.y)).toBe(true);
        expect(Number.isInteger(x.h)).toBe(true);
      }
      // Bars touch: each starts where the one below ended.
      for (let i = 1; i < c.bars.length; i++) expect(c.bars[i]!.y + c.bars[i]!.h).toBe(c.bars[i - 1]!.y);
    }
    expect(m.columns[0]?.bars[0]).toEqual({ method: "cash", minor: 31_500, y: 160 - 50, h: 50 });
  });

  it("sums buckets of the same hour and method, and is empty with no data", () => {
    const m = chartModel([b(9, "cash", 100), b(9, "cash", 200)], 100);
    expect(m.columns[0]?.bars).toEqual([{ method: "cash", minor: 300, y: 40, h: 60 }]);
    expect(chartModel([], 100).columns).toEqual([]);
  });
});

describe("KPI tiles", () => {
  it("one tile per KPI with its money and count", () => {
    const k: Kpis = {
      received: kes(100), received_count: 2, by_method: [], pending: kes(5), pending_count: 1, failed: kes(7), failed_count: 3,
      refunded: kes(9), refunded_count: 1, unmatched: kes(11), unmatched_count: 4,
    };
    expect(tiles(k).map((x) => [x.key, x.money.minor, x.count])).toEqual([
      ["kpi_received", 100, 2], ["kpi_pending", 5, 1], ["kpi_failed", 7, 3], ["kpi_refunded", 9, 1], ["kpi_unmatched", 11, 4],
    ]);
  });
});
