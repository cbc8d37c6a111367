import { describe, expect, it } from "vitest";
import type { CartLine, CatalogueItem } from "../../src/lib/api";
import { enterTarget, keepSelection, keyAction, looksLikeCode, moveSelection, parseScan, search } from "../../src/lib/cart";
import { kes } from "./fixtures";

const item = (code: string, name: string, barcode: string | null = null): CatalogueItem => ({ code, name, price: kes(100), tax_class: "standard", barcode });
const items = [item("SUG2", "Sugar 2kg", "6001234500017"), item("SUG1", "Sugar 1kg"), item("BRD4", "Bread 400g", "6001234500024"), item("BRW", "Brown sugar 500g")];
const line = (line_id: number): CartLine => ({ line_id, code: "X", name: "X", qty: 1, unit_price: kes(1), discount: kes(0), total: kes(1) });

describe("search box", () => {
  it("parses quantity prefixes", () => {
    expect(parseScan("6001234500017")).toEqual({ qty: 1, code: "6001234500017" });
    expect(parseScan("3*6001234500017")).toEqual({ qty: 3, code: "6001234500017" });
    expect(parseScan("2 x sugar")).toEqual({ qty: 2, code: "sugar" });
    expect(parseScan("   ")).toBeNull();
    expect(parseScan("0*SUG2")).toBeNull();
  });

  it("ranks exact code/barcode, then code prefix, then name words", () => {
    expect(search(items, "6001234500017").map((i) => i.code)).toEqual(["SUG2"]);
    expect(search(items, "sug").map((i) => i.code)).toEqual(["SUG2", "SUG1", "BRW"]);
    expect(search(items, "sugar 500").map((i) => i.code)).toEqual(["BRW"]);
    expect(search(items, "")).toEqual([]);
  });

  it("Enter adds a scanned code as typed, or the highlighted match for a name", () => {
    expect(looksLikeCode(items, "6001234599999")).toBe(true);
    expect(enterTarget(items, "6001234599999", 0)).toEqual({ qty: 1, code: "6001234599999" });
    expect(enterTarget(items, "2*BRD4", 0)).toEqual({ qty: 2, code: "BRD4" });
    expect(enterTarget(items, "bread", 0)).toEqual({ qty: 1, code: "BRD4" });
    expect(enterTarget(items, "sug", 1)).toEqual({ qty: 1, code: "SUG1" });
    expect(enterTarget(items, "sug", 99)).toEqual({ qty: 1, code: "BRW" });
    expect(enterTarget(items, "zzz", 0)).toEqual({ qty: 1, code: "zzz" });
  });
});

describe("cart selection", () => {
  const lines = [line(1), line(2), line(3)];
  it("moves and clamps", () => {
    expect(moveSelection(lines, null, -1)).toBe(3);
    expect(moveSelection(lines, null, 1)).toBe(1);
    expect(moveSelection(lines, 2, -1)).toBe(1);
    expect(moveSelection(lines, 1, -1)).toBe(1);
    expect(moveSelection(lines, 3, 1)).toBe(3);
    expect(moveSelection([], 3, 1)).toBeNull();
  });
  it("keeps a line that still exists, else the last", () => {
    expect(keepSelection(lines, 2)).toBe(2);
    expect(keepSelection(lines, 9)).toBe(3);
    expect(keepSelection([], 2)).toBeNull();
  });
});

describe("function keys", () => {
  it("maps each tender and action to its key", () => {
    expect(keyAction("F2")).toBe("pay_cash");
    expect(keyAction("F3")).toBe("pay_stk");
    expect(keyAction("F4")).toBe("pay_qr");
    expect(keyAction("F5")).toBe("pay_till");
    expect(keyAction("F6")).toBe("pay_card");
    expect(keyAction("F7")).toBe("discount");
    expect(keyAction("F8")).toBe("hold");
    expect(keyAction("F9")).toBe("recall");
    expect(keyAction("F12")).toBe("pay");
    expect(keyAction("Escape")).toBe("back");
    expect(keyAction("a")).toBeNull();
  });
});
