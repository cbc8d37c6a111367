// The refund dialog's rules: the receipt is retyped to confirm, the amount is the whole
// refundable amount unless the method allows a partial refund (card), and a PIN is needed.

import type { Currency, RefundAsk } from "../api";
import { parseAmount, type AmountError } from "../money";

export interface RefundForm {
  receipt: string;
  amount: string;
  pin: string;
}

export interface RefundFacts {
  payment_id: number;
  receipt: string; // what must be retyped (the payment's receipt; cash: the sale number)
  refundable_minor: number;
  partial: boolean;
  currency: Currency;
  manager: string;
}

export type RefundProblem =
  | { field: "receipt"; key: "refund_receipt_mismatch" }
  | { field: "amount"; key: "refund_amount_over" | "refund_amount_whole" | "amount_zero" }
  | { field: "amount"; key: `amount_${AmountError}` }
  | { field: "pin"; key: "refund_pin_needed" };

const norm = (s: string) => s.replace(/\s+/g, "").toUpperCase();

export function validateRefund(facts: RefundFacts, form: RefundForm): { ok: true; ask: RefundAsk } | { ok: false; problems: RefundProblem[] } {
  const problems: RefundProblem[] = [];
  if (norm(form.receipt) === "" || norm(form.receipt) !== norm(facts.receipt)) {
    problems.push({ field: "receipt", key: "refund_receipt_mismatch" });
  }
  let amount = facts.refundable_minor;
  if (facts.partial) {
    const p = parseAmount(form.amount, facts.currency);
    if (!p.ok) problems.push({ field: "amount", key: `amount_${p.error}` });
    else if (p.minor === 0) problems.push({ field: "amount", key: "amount_zero" });
    else if (p.minor > facts.refundable_minor) problems.push({ field: "amount", key: "refund_amount_over" });
    else amount = p.minor;
  } else if (form.amount.trim() !== "") {
    const p = parseAmount(form.amount, facts.currency);
    if (!p.ok || p.minor !== facts.refundable_minor) problems.push({ field: "amount", key: "refund_amount_whole" });
  }
  if (!/^\d{4,8}$/.test(form.pin)) problems.push({ field: "pin", key: "refund_pin_needed" });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    ask: { payment_id: facts.payment_id, amount_minor: amount, receipt: form.receipt.trim(), manager: facts.manager, pin: form.pin },
  };
}
