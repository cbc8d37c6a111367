import { describe, expect, it } from "vitest";
import { validateRefund, type RefundFacts } from "../../src/lib/manager/refund";
import { cashCheck } from "../../src/lib/manager/dayend";
import { attachPreview } from "../../src/lib/manager/attach";
import { blankDraft, checkLine, draftFromView, draftInput, draftTotal, issueProblem } from "../../src/lib/manager/invoice";
import type { InvoiceView, OpenTarget, UnmatchedView } from "../../src/lib/api";
import { kes } from "./fixtures";

const card: RefundFacts = { payment_id: 9, receipt: "T3ST-REF-1", refundable_minor: 56_500, partial: true, currency: "KES", manager: "Mama" };
const mpesa: RefundFacts = { ...card, receipt: "TKP5ZZ81AB", partial: false };

describe("refund dialog", () => {
  it("a card refund may be partial", () => {
    expect(validateRefund(card, { receipt: "t3st-ref-1", amount: "200", pin: "9999" })).toEqual({
      ok: true, ask: { payment_id: 9, amount_minor: 20_000, receipt: "t3st-ref-1", manager: "Mama", pin: "9999" },
    });
  });

  it("refuses a wrong receipt, too much, nothing, a missing PIN", () => {
    const r = validateRefund(card, { receipt: "T3ST-REF-2", amount: "600", pin: "" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.key)).toEqual(["refund_receipt_mismatch", "refund_amount_over", "refund_pin_needed"]);
    const z = validateRefund(card, { receipt: "T3ST-REF-1", amount: "0", pin: "9999" });
    expect(!z.ok && z.problems.map((p) => p.key)).toEqual(["amount_zero"]);
    const bad = validateRefund(card, { receipt: "T3ST-REF-1", amount: "1.2.3", pin: "9999" });
    expect(!bad.ok && bad.problems.map((p) => p.key)).toEqual(["amount_several_points"]);
  });

  it("M-Pesa is refunded whole only; the receipt may be typed with spaces", () => {
    expect(validateRefund(mpesa, { receipt: "tkp5 zz81 ab", amount: "565.00", pin: "9999" })).toEqual({
      ok: true, ask: { payment_id: 9, amount_minor: 56_500, receipt: "tkp5 zz81 ab", manager: "Mama", pin: "9999" },
    });
    const part = validateRefund(mpesa, { receipt: "TKP5ZZ81AB", amount: "100", pin: "9999" });
    expect(!part.ok && part.problems.map((p) => p.key)).toEqual(["refund_amount_whole"]);
  });
});

describe("Z report cash difference", () => {
  it("counted − expected, in minor units", () => {
    expect(cashCheck(kes(315_000), "3,150")).toEqual({ ok: true, counted: kes(315_000), difference: kes(0), verdict: "exact" });
    expect(cashCheck(kes(315_000), "3100.50")).toEqual({ ok: true, counted: kes(310_050), difference: kes(-4_950), verdict: "short" });
    expect(cashCheck(kes(315_000), "3200")).toMatchObject({ difference: kes(5_000), verdict: "over" });
    expect(cashCheck(kes(315_000), "abc")).toEqual({ ok: false, error: "invalid_character" });
  });
});

describe("attach preview", () => {
  const u = { unmatched_id: 1, payment_id: 2, method: "mpesa_paybill", provider: "daraja", amount: kes(100_000), receipt: "R", payer_name: null, payer_masked: null,
    account_reference: null, received_ms: 0, reason: "unknown_reference", reason_detail: null } satisfies UnmatchedView;
  const target = (balance: number, accepts_over = false): OpenTarget => ({ kind: "sale", id: 1, number: "T1-000001", customer: null, total: kes(balance), balance: kes(balance), accepts_over, created_ms: 0 });
  it("fits, leaves a remainder, or over-pays an invoice that accepts it", () => {
    expect(attachPreview(u, target(150_000))).toEqual({ allocate: kes(100_000), remainder: kes(0), over: "none" });
    expect(attachPreview(u, target(60_000))).toEqual({ allocate: kes(60_000), remainder: kes(40_000), over: "remainder" });
    expect(attachPreview(u, target(60_000, true))).toEqual({ allocate: kes(100_000), remainder: kes(0), over: "overpay" });
  });
});

describe("invoice draft", () => {
  it("lines → integer minor units and the total", () => {
    const d = { ...blankDraft(), customer_id: 3, due_date: "2026-12-01", lines: [
      { description: "Term 1 fees", qty: "2", price: "7,500.00" },
      { description: "", qty: "1", price: "" },
      { description: "Uniform", qty: "1", price: "1250.5" },
    ] };
    expect(draftTotal(d, "KES")).toBe(1_625_050);
    expect(draftInput(d, "KES")).toEqual({
      invoice_id: null, customer_id: 3, due_date: "2026-12-01", mode: "exact", note: "",
      lines: [{ description: "Term 1 fees", qty: 2, unit_price_minor: 750_000 }, { description: "Uniform", qty: 1, unit_price_minor: 125_050 }],
    });
    expect(issueProblem(d, "KES")).toBeNull();
  });

  it("marks bad lines and says what stops an issue", () => {
    expect(checkLine({ description: "x", qty: "1.5", price: "10" }, "KES")).toEqual({ ok: false, field: "qty" });
    expect(checkLine({ description: "x", qty: "1", price: "0" }, "KES")).toEqual({ ok: false, field: "price" });
    expect(checkLine({ description: "", qty: "1", price: "10" }, "KES")).toEqual({ ok: false, field: "description" });
    expect(issueProblem(blankDraft(), "KES")).toBe("issue_needs_customer");
    expect(issueProblem({ ...blankDraft(), customer_id: 1 }, "KES")).toBe("issue_needs_lines");
    expect(issueProblem({ ...blankDraft(), customer_id: 1, lines: [{ description: "x", qty: "0", price: "1" }] }, "KES")).toBe("issue_bad_line");
  });

  it("a saved draft comes back into the form as typed text", () => {
    const v = { invoice_id: 4, number: null, status: "draft", customer: { customer_id: 3, name: "W", phone: null, email: null }, due_date: null, mode: "partial",
      note: "n", lines: [{ description: "Fees", qty: 2, unit_price: kes(750_000), total: kes(1_500_000) }], total: kes(1_500_000), paid: kes(0), balance: kes(1_500_000),
      over: kes(0), payments: [], paybill: "522522", control_number: null, issued_ms: null } satisfies InvoiceView;
    expect(draftFromView(v)).toEqual({ invoice_id: 4, customer_id: 3, due_date: "", mode: "partial", note: "n", lines: [{ description: "Fees", qty: "2", price: "7500.00" }] });
  });
});
