import type { AttemptView, SaleView } from "../../src/lib/api";

export const kes = (minor: number) => ({ minor, currency: "KES" as const });

export function sale(total: number, paid = 0, extra: Partial<SaleView> = {}): SaleView {
  return {
    sale_id: 7,
    number: "T1-000007",
    total: kes(total),
    paid: kes(paid),
    balance: kes(total - paid),
    status: paid >= total ? "paid" : "open",
    tenders: [],
    customer_phone: null,
    ...extra,
  };
}

export function attempt(state: AttemptView["state"], extra: Partial<AttemptView> = {}): AttemptView {
  return {
    attempt_id: 3,
    sale_id: 7,
    method: "mpesa_stk",
    state,
    reason: null,
    amount: kes(56500),
    started_ms: 1_000_000,
    deadline_ms: 1_060_000,
    ...extra,
  };
}
