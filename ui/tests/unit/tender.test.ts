import { describe, expect, it } from "vitest";
import { canSendStk, cashPreview, checkAmount, initialTender, isBusy, reduce, type Action, type TenderState } from "../../src/lib/tender";
import { attempt, kes, sale } from "./fixtures";

const run = (actions: Action[], from: TenderState = initialTender()) => actions.reduce(reduce, from);

describe("tender state machine", () => {
  it("opens on the chooser with the balance as the amount, phone from the customer", () => {
    const s = run([{ type: "open", sale: sale(56500, 0, { customer_phone: "0712 345 678" }) }]);
    expect(s.flow).toBe("choose");
    expect(s.amountInput).toBe("565.00");
    expect(s.phoneInput).toBe("0712 345 678");
    expect(s.done).toBe(false);
  });

  it("STK: enter → starting → waiting → confirmed, and the sale completes", () => {
    let s = run([{ type: "open", sale: sale(56500), flow: "stk" }, { type: "input", field: "phoneInput", value: "0712345678" }]);
    expect(canSendStk(s)).toBe(true);
    s = run([{ type: "starting" }], s);
    expect(isBusy(s)).toBe(true);
    expect(canSendStk(s)).toBe(false);
    s = run([{ type: "attempt", attempt: attempt("pending") }], s);
    expect(s.phase).toBe("waiting");
    // while waiting, no way out except "Stop waiting"
    expect(run([{ type: "back" }], s)).toBe(s);
    expect(run([{ type: "choose", flow: "cash" }], s)).toBe(s);
    s = run([{ type: "attempt", attempt: attempt("confirmed") }], s);
    expect(s.phase).toBe("outcome");
    s = run([{ type: "sale", sale: sale(56500, 56500) }], s);
    expect(s.done).toBe(true);
  });

  it("STK: each outcome lands on 'outcome'; retry goes back to entering, keeping the phone", () => {
    for (const st of ["cancelled", "timed_out", "failed", "unreachable"] as const) {
      let s = run([
        { type: "open", sale: sale(56500), flow: "stk" },
        { type: "input", field: "phoneInput", value: "0712345678" },
        { type: "starting" },
        { type: "attempt", attempt: attempt("pending") },
        { type: "attempt", attempt: attempt(st, { reason: "Insufficient funds" }) },
      ]);
      expect(s.phase, st).toBe("outcome");
      expect(isBusy(s)).toBe(false);
      s = run([{ type: "retry" }], s);
      expect(s.phase).toBe("enter");
      expect(s.attempt).toBeNull();
      expect(s.phoneInput).toBe("0712345678");
    }
  });

  it("ignores events about other attempts and stale 'pending' after an outcome", () => {
    let s = run([
      { type: "open", sale: sale(56500), flow: "stk" },
      { type: "starting" },
      { type: "attempt", attempt: attempt("pending") },
    ]);
    expect(run([{ type: "attempt", attempt: attempt("confirmed", { attempt_id: 99 }) }], s)).toBe(s);
    s = run([{ type: "attempt", attempt: attempt("cancelled") }], s);
    expect(run([{ type: "attempt", attempt: attempt("pending") }], s)).toBe(s);
    // an attempt event when nothing was started is not ours either
    const idle = run([{ type: "open", sale: sale(56500), flow: "stk" }]);
    expect(run([{ type: "attempt", attempt: attempt("pending") }], idle)).toBe(idle);
  });

  it("stop waiting → back on the chooser, saying where a late payment will appear", () => {
    const s = run([
      { type: "open", sale: sale(56500), flow: "stk" },
      { type: "input", field: "amountInput", value: "100" },
      { type: "starting" },
      { type: "attempt", attempt: attempt("pending") },
      { type: "attempt", attempt: attempt("stopped") },
    ]);
    expect(s.flow).toBe("choose");
    expect(s.phase).toBe("enter");
    expect(s.attempt).toBeNull();
    expect(isBusy(s)).toBe(false);
    expect(s.notice).toEqual({ key: "stopped_body" });
    expect(s.amountInput).toBe("565.00");
    // a late event about the stopped attempt changes nothing
    expect(run([{ type: "attempt", attempt: attempt("confirmed") }], s)).toBe(s);
  });

  it("split tender: part cash returns to the chooser with the new balance", () => {
    let s = run([{ type: "open", sale: sale(31500), flow: "cash" }, { type: "input", field: "tenderedInput", value: "100" }]);
    s = run([{ type: "cash_paid", sale: sale(31500, 10000), change: kes(0) }], s);
    expect(s.flow).toBe("choose");
    expect(s.done).toBe(false);
    expect(s.amountInput).toBe("215.00");
    expect(s.notice).toEqual({ key: "payment_added", params: { amount: "KES 215.00" } });
    s = run([{ type: "choose", flow: "stk" }], s);
    expect(s.amountInput).toBe("215.00");
  });

  it("a claim that pays part while on Paybill/Till returns to the chooser", () => {
    let s = run([{ type: "open", sale: sale(31500), flow: "till" }, { type: "till", till: { paybill: "522522", till_number: null, account_reference: "T1-000007", window_ends_ms: 0 } }]);
    expect(s.phase).toBe("waiting");
    s = run([{ type: "sale", sale: sale(31500, 20000) }], s);
    expect(s.flow).toBe("choose");
    expect(s.amountInput).toBe("115.00");
  });

  it("ignores sale events for another sale", () => {
    const s = run([{ type: "open", sale: sale(31500) }]);
    expect(run([{ type: "sale", sale: sale(100, 100, { sale_id: 8 }) }], s)).toBe(s);
  });

  it("cash paid in full → done, with the change", () => {
    const s = run([{ type: "open", sale: sale(31500), flow: "cash" }, { type: "cash_paid", sale: sale(31500, 31500), change: kes(18500) }]);
    expect(s.done).toBe(true);
    expect(s.change).toEqual(kes(18500));
    // once done, nothing moves it but close
    expect(run([{ type: "choose", flow: "stk" }], s)).toBe(s);
    expect(run([{ type: "close" }], s)).toEqual(initialTender());
  });

  it("card: start → verifying → confirmed", () => {
    const card = { attempt: attempt("pending", { method: "card" }), access_code: "ac", reference: "R", popup: "simulator" as const, simulator_url: "http://x" };
    let s = run([{ type: "open", sale: sale(56500), flow: "card" }, { type: "starting" }, { type: "card", card }]);
    expect(s.phase).toBe("waiting");
    s = run([{ type: "verifying" }], s);
    expect(isBusy(s)).toBe(true);
    s = run([{ type: "attempt", attempt: attempt("confirmed", { method: "card" }) }], s);
    expect(s.phase).toBe("outcome");
  });
});

describe("amounts", () => {
  it("checkAmount: positive and not above the balance", () => {
    expect(checkAmount("565", sale(56500))).toEqual({ ok: true, minor: 56500 });
    expect(checkAmount("100.50", sale(56500))).toEqual({ ok: true, minor: 10050 });
    expect(checkAmount("0", sale(56500))).toEqual({ ok: false, key: "amount_zero" });
    expect(checkAmount("566", sale(56500))).toEqual({ ok: false, key: "amount_over_balance", params: { amount: "KES 565.00" } });
    expect(checkAmount("abc", sale(56500))).toEqual({ ok: false, key: "amount_invalid_character" });
  });

  it("cashPreview: change above the balance, a part payment below it", () => {
    expect(cashPreview("1,000", sale(56500))).toEqual({ ok: true, tendered: 100000, amount: 56500, change: 43500, short: 0 });
    expect(cashPreview("565", sale(56500))).toEqual({ ok: true, tendered: 56500, amount: 56500, change: 0, short: 0 });
    expect(cashPreview("200", sale(56500))).toEqual({ ok: true, tendered: 20000, amount: 20000, change: 0, short: 36500 });
    expect(cashPreview("", sale(56500))).toEqual({ ok: false, key: "amount_empty" });
  });

  it("canSendStk needs a complete valid phone and a valid amount", () => {
    const base = run([{ type: "open", sale: sale(56500), flow: "stk" }]);
    expect(canSendStk(run([{ type: "input", field: "phoneInput", value: "07123" }], base))).toBe(false);
    expect(canSendStk(run([{ type: "input", field: "phoneInput", value: "0712345678" }], base))).toBe(true);
    expect(
      canSendStk(run([{ type: "input", field: "phoneInput", value: "0712345678" }, { type: "input", field: "amountInput", value: "9999" }], base)),
    ).toBe(false);
  });
});

describe("cash helpers", () => {
  it("quick cash: exact, then round amounts above it", async () => {
    const { quickCash } = await import("../../src/lib/tender");
    expect(quickCash(31500, "KES")).toEqual([31500, 35000, 40000, 50000]);
    expect(quickCash(100000, "KES")).toEqual([100000]);
    expect(quickCash(43050, "KES")).toEqual([43050, 45000, 50000, 100000]);
    expect(quickCash(0, "KES")).toEqual([]);
    expect(quickCash(12300, "UGX")).toEqual([12300, 13000, 15000, 20000]);
    for (const v of quickCash(98765, "KES")) expect(Number.isInteger(v)).toBe(true);
  });

  it("keypad edits the typed amount", async () => {
    const { keypad } = await import("../../src/lib/tender");
    expect(["1", "2", "00", ".", "5"].reduce(keypad, "")).toBe("1200.5");
    expect(keypad("12.5", ".")).toBe("12.5");
    expect(keypad("125", "⌫")).toBe("12");
    expect(keypad("125", "C")).toBe("");
    expect(keypad("125", "x")).toBe("125");
  });
});
