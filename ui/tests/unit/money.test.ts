import { describe, expect, it } from "vitest";
import { formatAmount, formatMoney, parseAmount, toInput } from "../../src/lib/money";

describe("formatMoney", () => {
  it("formats with the code, thousands separators and the currency's decimals", () => {
    expect(formatMoney({ minor: 125000, currency: "KES" })).toBe("KES 1,250.00");
    expect(formatMoney({ minor: 5, currency: "KES" })).toBe("KES 0.05");
    expect(formatMoney({ minor: 0, currency: "KES" })).toBe("KES 0.00");
    expect(formatMoney({ minor: 100, currency: "USD" })).toBe("USD 1.00");
    expect(formatMoney({ minor: 1500, currency: "UGX" })).toBe("UGX 1,500");
    expect(formatMoney({ minor: 123456789, currency: "TZS" })).toBe("TZS 1,234,567.89");
    expect(formatMoney({ minor: -56500, currency: "KES" })).toBe("KES -565.00");
  });

  it("formats big amounts exactly (no float rounding)", () => {
    expect(formatAmount(Number.MAX_SAFE_INTEGER, "KES")).toBe("90,071,992,547,409.91");
    expect(formatAmount(100_000_000_000_01, "KES")).toBe("100,000,000,000.01");
    expect(formatAmount(999_999_999_999, "UGX")).toBe("999,999,999,999");
  });

  it("refuses what is not an integer number of minor units", () => {
    expect(() => formatAmount(12.5, "KES")).toThrow(RangeError);
    expect(() => formatAmount(Number.NaN, "KES")).toThrow(RangeError);
  });
});

describe("parseAmount", () => {
  const ok = (s: string, c: "KES" | "UGX" | "TZS" | "USD" = "KES") => parseAmount(s, c);
  it("reads what a cashier types", () => {
    expect(ok("1250")).toEqual({ ok: true, minor: 125000 });
    expect(ok("1,250.50")).toEqual({ ok: true, minor: 125050 });
    expect(ok("1 250")).toEqual({ ok: true, minor: 125000 });
    expect(ok(" KES 1,250 ")).toEqual({ ok: true, minor: 125000 });
    expect(ok("ksh 99.9")).toEqual({ ok: true, minor: 9990 });
    expect(ok(".5")).toEqual({ ok: true, minor: 50 });
    expect(ok("0.10")).toEqual({ ok: true, minor: 10 });
    expect(ok("12.")).toEqual({ ok: true, minor: 1200 });
    expect(ok("1500", "UGX")).toEqual({ ok: true, minor: 1500 });
    expect(ok("1500.00", "UGX")).toEqual({ ok: true, minor: 1500 });
    expect(ok("TSh 500", "TZS")).toEqual({ ok: true, minor: 50000 });
  });

  it("never goes through a float: the classic float traps are exact", () => {
    expect(ok("0.29")).toEqual({ ok: true, minor: 29 });
    expect(ok("1.15")).toEqual({ ok: true, minor: 115 });
    expect(ok("4.35")).toEqual({ ok: true, minor: 435 });
    expect(ok("1,005.05")).toEqual({ ok: true, minor: 100505 });
    // every cents value round-trips through format → parse
    for (let minor = 0; minor <= 100_000; minor += 7) {
      const text = formatAmount(minor, "KES");
      expect(parseAmount(text, "KES")).toEqual({ ok: true, minor });
      expect(parseAmount(toInput(minor, "KES"), "KES")).toEqual({ ok: true, minor });
    }
  });

  it("round-trips big amounts up to 2^53 − 1", () => {
    const big = [Number.MAX_SAFE_INTEGER, 9_007_199_254_740_000, 123_456_789_012_345];
    for (const minor of big) expect(parseAmount(formatAmount(minor, "KES"), "KES")).toEqual({ ok: true, minor });
    expect(ok("90,071,992,547,409.92")).toEqual({ ok: false, error: "too_large" });
    expect(ok("99999999999999999999")).toEqual({ ok: false, error: "too_large" });
  });

  it("refuses bad input with a reason", () => {
    expect(ok("")).toEqual({ ok: false, error: "empty" });
    expect(ok("   ")).toEqual({ ok: false, error: "empty" });
    expect(ok("KES")).toEqual({ ok: false, error: "empty" });
    expect(ok("-5")).toEqual({ ok: false, error: "negative" });
    expect(ok("12a")).toEqual({ ok: false, error: "invalid_character" });
    expect(ok("1e3")).toEqual({ ok: false, error: "invalid_character" });
    expect(ok("1.234")).toEqual({ ok: false, error: "too_many_decimals" });
    expect(ok("1.5", "UGX")).toEqual({ ok: false, error: "too_many_decimals" });
    expect(ok("1.2.3")).toEqual({ ok: false, error: "several_points" });
    expect(ok("12,50")).toEqual({ ok: false, error: "misplaced_separator" });
    expect(ok("1250,000")).toEqual({ ok: false, error: "misplaced_separator" });
    expect(ok(",250")).toEqual({ ok: false, error: "misplaced_separator" });
    expect(ok("USD 5")).toEqual({ ok: false, error: "wrong_currency" });
    expect(ok("1.0x")).toEqual({ ok: false, error: "invalid_character" });
  });
});
