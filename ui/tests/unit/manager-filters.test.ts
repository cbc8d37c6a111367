import { describe, expect, it } from "vitest";
import {
  arrived, canNext, canPrev, currentCursor, dateProblem, emptyForm, filterArgs, firstPage, goNext, goPrev, narrowed, pageNumber, toggle,
} from "../../src/lib/manager/filters";
import { tabOf } from "../../src/lib/manager/format";

describe("transactions filter → command args", () => {
  it("an empty form asks for everything", () => {
    expect(filterArgs(emptyForm())).toEqual({ from_ms: null, to_ms: null, methods: [], providers: [], statuses: [], cashier: null, text: null });
  });

  it("dates are local midnights, the end day inclusive (to_ms = the next midnight, exclusive)", () => {
    const f = filterArgs({ ...emptyForm(), from: "2026-11-24", to: "2026-11-25" });
    expect(f.from_ms).toBe(new Date(2026, 10, 24).getTime());
    expect(f.to_ms).toBe(new Date(2026, 10, 26).getTime());
    // Month and year ends roll over.
    expect(filterArgs({ ...emptyForm(), to: "2026-12-31" }).to_ms).toBe(new Date(2027, 0, 1).getTime());
  });

  it("choices keep a fixed order whatever order they were ticked in; text and cashier are trimmed", () => {
    const f = filterArgs({
      ...emptyForm(),
      methods: ["card", "cash", "mpesa_stk"],
      providers: ["paystack", "daraja"],
      statuses: ["failed", "received"],
      cashier: "  Aisha ",
      text: " TKP5ZZ81AB ",
    });
    expect(f.methods).toEqual(["cash", "mpesa_stk", "card"]);
    expect(f.providers).toEqual(["daraja", "paystack"]);
    expect(f.statuses).toEqual(["received", "failed"]);
    expect(f.cashier).toBe("Aisha");
    expect(f.text).toBe("TKP5ZZ81AB");
    expect(narrowed(f)).toBe(true);
    expect(narrowed(filterArgs({ ...emptyForm(), from: "2026-11-25" }))).toBe(false);
  });

  it("says what is wrong with the dates", () => {
    expect(dateProblem({ ...emptyForm(), from: "2026-02-30" })).toBe("bad_from");
    expect(dateProblem({ ...emptyForm(), to: "25/11/2026" })).toBe("bad_to");
    expect(dateProblem({ ...emptyForm(), from: "2026-11-25", to: "2026-11-24" })).toBe("to_before_from");
    expect(dateProblem({ ...emptyForm(), from: "2026-11-25", to: "2026-11-25" })).toBeNull();
  });

  it("toggle adds and removes", () => {
    expect(toggle(["cash"], "card")).toEqual(["cash", "card"]);
    expect(toggle(["cash", "card"], "cash")).toEqual(["card"]);
  });
});

describe("keyset pager", () => {
  it("walks forward with the backend's cursors and back again", () => {
    let p = firstPage();
    expect(currentCursor(p)).toBeNull();
    expect(canPrev(p)).toBe(false);
    p = arrived(p, "c50");
    expect(canNext(p)).toBe(true);
    p = goNext(p);
    expect(currentCursor(p)).toBe("c50");
    expect(pageNumber(p)).toBe(2);
    expect(canNext(p)).toBe(false); // until the page arrives
    p = arrived(p, null);
    expect(canNext(p)).toBe(false);
    expect(goNext(p)).toBe(p);
    p = goPrev(p);
    expect(currentCursor(p)).toBeNull();
    expect(pageNumber(p)).toBe(1);
    expect(goPrev(p)).toBe(p);
  });
});

describe("manager routes", () => {
  it("picks the tab from the hash", () => {
    expect(tabOf("#/manager")).toBe("transactions");
    expect(tabOf("#/manager/invoices")).toBe("invoices");
    expect(tabOf("#/manager/day-end")).toBe("day-end");
    expect(tabOf("#/manager/nonsense")).toBe("transactions");
  });
});
