// Attaching an unmatched receipt: what will happen, shown before the manager confirms —
// how much goes to the target, what stays unmatched, and whether it over-pays.

import type { Money, OpenTarget, UnmatchedView } from "../api";

export interface AttachPreview {
  allocate: Money;
  remainder: Money;
  /** "none": fits; "remainder": more than the balance, the rest stays unmatched; "overpay": the invoice accepts it and ends over-paid */
  over: "none" | "remainder" | "overpay";
}

export function attachPreview(u: UnmatchedView, t: OpenTarget): AttachPreview {
  const cur = u.amount.currency;
  const amount = u.amount.minor;
  const balance = t.balance.minor;
  if (amount <= balance) return { allocate: u.amount, remainder: { minor: 0, currency: cur }, over: "none" };
  if (t.accepts_over) return { allocate: u.amount, remainder: { minor: 0, currency: cur }, over: "overpay" };
  return { allocate: { minor: balance, currency: cur }, remainder: { minor: amount - balance, currency: cur }, over: "remainder" };
}
