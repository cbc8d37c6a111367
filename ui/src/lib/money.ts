// Money on screen: the ONE place amounts are formatted and typed amounts are read.
// Amounts are integer minor units (`Money.minor`); this module never turns one into a float:
// formatting and parsing work on the decimal digits as strings (BigInt for the arithmetic).

import type { Currency, Money } from "./api";

/** Decimal digits of each currency's minor unit (same as `malipo_core::Currency::exponent`). */
export const EXPONENT: Record<Currency, number> = { KES: 2, TZS: 2, USD: 2, UGX: 0 };

export const CURRENCIES: readonly Currency[] = ["KES", "TZS", "UGX", "USD"];

export function isCurrency(code: string): code is Currency {
  return (CURRENCIES as readonly string[]).includes(code);
}

function group(digits: string): string {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits.charAt(i);
  }
  return out;
}

/** `1,250.00` — the amount without the currency code. */
export function formatAmount(minor: number, currency: Currency): string {
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`money must be an integer number of minor units, got ${String(minor)}`);
  }
  const exp = EXPONENT[currency];
  const negative = minor < 0;
  let digits = BigInt(minor < 0 ? -minor : minor).toString();
  if (exp === 0) return (negative ? "-" : "") + group(digits);
  digits = digits.padStart(exp + 1, "0");
  const major = digits.slice(0, digits.length - exp);
  const frac = digits.slice(digits.length - exp);
  return `${negative ? "-" : ""}${group(major)}.${frac}`;
}

/** `KES 1,250.00` — how money looks everywhere on screen. */
export function formatMoney(money: Money): string {
  return `${money.currency} ${formatAmount(money.minor, money.currency)}`;
}

export function money(minor: number, currency: Currency): Money {
  return { minor, currency };
}

export type AmountError =
  | "empty"
  | "negative"
  | "invalid_character"
  | "too_many_decimals"
  | "several_points"
  | "misplaced_separator"
  | "wrong_currency"
  | "too_large";

export type ParsedAmount = { ok: true; minor: number } | { ok: false; error: AmountError };

const ALIASES: Record<Currency, readonly string[]> = {
  KES: ["KES", "KSH", "KSHS"],
  TZS: ["TZS", "TSH"],
  UGX: ["UGX", "USH"],
  USD: ["USD"],
};

/**
 * Reads an amount a cashier typed — `1250`, `1,250.50`, `1 250`, `KES 1,250` — as integer
 * minor units of `currency`. Same rules as `malipo_core::Money::parse`.
 */
export function parseAmount(input: string, currency: Currency): ParsedAmount {
  let s = input.trim();
  if (s === "") return { ok: false, error: "empty" };
  const letters = /^[A-Za-z]+/.exec(s)?.[0] ?? "";
  if (letters !== "") {
    const code = letters.toUpperCase();
    if (!ALIASES[currency].includes(code)) {
      return { ok: false, error: isCurrency(code) ? "wrong_currency" : "invalid_character" };
    }
    s = s.slice(letters.length).replace(/^[. ]+/, "").trim();
    if (s === "") return { ok: false, error: "empty" };
  }
  if (s.startsWith("-")) return { ok: false, error: "negative" };
  if (s.startsWith("+")) s = s.slice(1);
  const parts = s.split(".");
  if (parts.length > 2) return { ok: false, error: "several_points" };
  const intPart = parts[0] ?? "";
  const fracPart = parts[1];
  const intDigits = groupedInteger(intPart);
  if (!intDigits.ok) return intDigits;
  const exp = EXPONENT[currency];
  let frac = "";
  if (fracPart !== undefined) {
    if (!/^[0-9]*$/.test(fracPart)) return { ok: false, error: "invalid_character" };
    if (fracPart.length > exp) {
      if (/[1-9]/.test(fracPart.slice(exp))) return { ok: false, error: "too_many_decimals" };
      frac = fracPart.slice(0, exp);
    } else {
      frac = fracPart;
    }
  }
  if (intDigits.digits === "" && frac === "") return { ok: false, error: "empty" };
  const all = (intDigits.digits === "" ? "0" : intDigits.digits) + frac.padEnd(exp, "0");
  const big = BigInt(all);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, error: "too_large" };
  return { ok: true, minor: Number(big) };
}

function groupedInteger(
  s: string,
): { ok: true; digits: string } | { ok: false; error: AmountError } {
  const bad = /[^0-9, ]/.exec(s);
  if (bad !== null) return { ok: false, error: "invalid_character" };
  if (!/[, ]/.test(s)) return { ok: true, digits: s };
  // Separators (comma or space) must split the number into groups of three after the first.
  const groups = s.split(/[, ]/);
  const first = groups[0] ?? "";
  if (first.length === 0 || first.length > 3) return { ok: false, error: "misplaced_separator" };
  for (const g of groups.slice(1)) {
    if (g.length !== 3) return { ok: false, error: "misplaced_separator" };
  }
  return { ok: true, digits: groups.join("") };
}

/** The amount as a cashier would type it back: `1250.50` (no separators), for pre-filling. */
export function toInput(minor: number, currency: Currency): string {
  return formatAmount(minor, currency).replace(/,/g, "");
}

/** Minor units added/subtracted; throws on mixed currencies (never happens on one till). */
export function sub(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error("mixed currencies");
  return { minor: a.minor - b.minor, currency: a.currency };
}
