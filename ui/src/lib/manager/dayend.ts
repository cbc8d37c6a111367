// Day-end: the cash difference the manager sees while typing the counted cash (counted −
// expected, negative = short), the same figure the Z report will record.

import type { Currency, Money } from "../api";
import { parseAmount, type AmountError } from "../money";

export type CashCheck =
  | { ok: true; counted: Money; difference: Money; verdict: "exact" | "short" | "over" }
  | { ok: false; error: AmountError };

export function cashCheck(expected: Money, typed: string, currency: Currency = expected.currency): CashCheck {
  const p = parseAmount(typed, currency);
  if (!p.ok) return { ok: false, error: p.error };
  const diff = p.minor - expected.minor;
  return {
    ok: true,
    counted: { minor: p.minor, currency },
    difference: { minor: diff, currency },
    verdict: diff === 0 ? "exact" : diff < 0 ? "short" : "over",
  };
}
