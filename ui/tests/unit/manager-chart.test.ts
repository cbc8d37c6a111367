import { describe, expect, it } from "vitest";
import { chartModel, chartTitleKey, dayLabel, hourLabel, niceMax, percent, scale, tiles } from "../../src/lib/manager/chart";
import type { ChartBucket, Kpis, Method } from "../../src/lib/api";
import { translate } from "../../src/lib/i18n";
import { kes } from "./fixtures";

const H = 1_000_000; // an hour of ms, any base
const b = (hour: number, method: Method, minor: number): ChartBucket => ({ start_ms: hour * H, method, amount: kes(minor) });
// Local midnight / local hour of a day, as the backend sends them (the labels use local time).
const day = (y: number, month: number, d: number) => new Date(y, month - 1, d).getTime();
const at = (y: number, month: number, d: number, hour: number) => new Date(y, month - 1, d, hour).getTime();
const bd = (ms: number, method: Method, minor: number): ChartBucket => ({ start_ms: ms, method, amount: kes(minor) });

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
    const m = chartModel([b(10, "card", 30_000), b(9, "mpesa_stk", 56_500), b(9, "cash", 31_500), b(10, "cash", 10_000)], 160, "hour");
    expect(m.top).toBe(100_000);
    expect(m.bucket).toBe("hour");
    expect(m.columns.map((c) => c.start_ms)).toEqual([9 * H, 10 * H]);
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
    const m = chartModel([b(9, "cash", 100), b(9, "cash", 200)], 100, "hour");
    expect(m.columns[0]?.bars).toEqual([{ method: "cash", minor: 300, y: 40, h: 60 }]);
    expect(chartModel([], 100, "hour").columns).toEqual([]);
    expect(chartModel([], 100, "day").columns).toEqual([]);
  });
});

describe("hour and day buckets", () => {
  it("hour buckets: one column per hour labelled HH:00, in either language", () => {
    const buckets = [bd(at(2026, 12, 6, 14), "cash", 500), bd(at(2026, 12, 6, 9), "card", 700), bd(at(2026, 12, 6, 9), "cash", 300)];
    for (const lang of ["en", "sw"] as const) {
      const m = chartModel(buckets, 100, "hour", lang);
      expect(m.columns.map((c) => c.label)).toEqual(["09:00", "14:00"]);
      expect(m.columns.map((c) => c.total)).toEqual([1_000, 500]);
    }
    expect(hourLabel(at(2026, 1, 2, 0))).toBe("00:00");
    // An hour bucket with no language given is labelled as before.
    expect(chartModel(buckets, 100, "hour").columns[0]?.label).toBe("09:00");
  });

  it("day buckets: one column per day, methods of a day stacked, ascending by day", () => {
    const m = chartModel(
      [
        bd(day(2026, 12, 7), "cash", 20_000),
        bd(day(2026, 12, 6), "mpesa_stk", 56_500),
        bd(day(2026, 12, 6), "cash", 31_500),
        bd(day(2026, 11, 30), "card", 1_000),
        bd(day(2026, 12, 6), "cash", 500),
      ],
      160,
      "day",
    );
    expect(m.bucket).toBe("day");
    expect(m.columns.map((c) => c.start_ms)).toEqual([day(2026, 11, 30), day(2026, 12, 6), day(2026, 12, 7)]);
    expect(m.columns.map((c) => c.label)).toEqual(["30 Nov", "6 Dec", "7 Dec"]);
    expect(m.columns.map((c) => c.total)).toEqual([1_000, 88_500, 20_000]);
    expect(m.columns[1]?.bars.map((x) => [x.method, x.minor])).toEqual([["cash", 32_000], ["mpesa_stk", 56_500]]);
    expect(m.top).toBe(100_000);
    for (const c of m.columns) expect(c.bars.reduce((a, x) => a + x.h, 0)).toBe(scale(c.total, m.top, 160));
    expect(m.methods).toEqual(["cash", "mpesa_stk", "card"]);
  });

  it("a month of day buckets is a month of columns, not hundreds of hours", () => {
    const buckets: ChartBucket[] = [];
    for (let d = 1; d <= 31; d++) for (const method of ["cash", "mpesa_stk"] as const) buckets.push(bd(day(2026, 1, d), method, 1_000 * d));
    const m = chartModel(buckets, 160, "day");
    expect(m.columns).toHaveLength(31);
    expect(m.columns[0]?.label).toBe("1 Jan");
    expect(m.columns[30]?.label).toBe("31 Jan");
    expect(m.columns[30]?.total).toBe(62_000);
  });

  it("labels days with the short month in English and Kiswahili", () => {
    const en = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const sw = ["Jan", "Feb", "Mac", "Apr", "Mei", "Jun", "Jul", "Ago", "Sep", "Okt", "Nov", "Des"];
    for (let month = 1; month <= 12; month++) {
      expect(dayLabel(day(2026, month, 6), "en")).toBe(`6 ${en[month - 1]}`);
      expect(dayLabel(day(2026, month, 6), "sw")).toBe(`6 ${sw[month - 1]}`);
    }
    // Any time of the day is that day; the column labels follow the language.
    expect(dayLabel(at(2026, 12, 6, 23), "en")).toBe("6 Dec");
    const buckets = [bd(day(2026, 8, 6), "cash", 1), bd(day(2026, 12, 25), "cash", 1)];
    expect(chartModel(buckets, 100, "day", "sw").columns.map((c) => c.label)).toEqual(["6 Ago", "25 Des"]);
    expect(chartModel(buckets, 100, "day", "en").columns.map((c) => c.label)).toEqual(["6 Aug", "25 Dec"]);
  });

  it("titles the chart by hour or by day", () => {
    expect(translate("en", chartTitleKey("hour"))).toBe("Takings by hour and method");
    expect(translate("en", chartTitleKey("day"))).toBe("Takings by day and method");
    expect(translate("sw", chartTitleKey("hour"))).toBe("Mapato kwa saa na kwa njia");
    expect(translate("sw", chartTitleKey("day"))).toBe("Mapato kwa siku na kwa njia");
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
