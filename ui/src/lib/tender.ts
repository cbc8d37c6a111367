// The tender panel's state machine, as plain data and pure functions so it is tested without
// a DOM. The Svelte component keeps one `TenderState`, calls the backend, and feeds the
// results back in through `reduce`.

import type { AttemptView, CardStart, Currency, Money, SaleView, TillWait } from "./api";
import type { MessageKey, Params } from "./i18n";
import { formatMoney, parseAmount, toInput } from "./money";
import { checkPhone } from "./phone";

export type Flow = "choose" | "cash" | "stk" | "qr" | "till" | "card";
export type Phase = "enter" | "starting" | "waiting" | "verifying" | "outcome";

export interface TenderState {
  /** The open sale being paid; null while the cashier is on the cart. */
  sale: SaleView | null;
  flow: Flow;
  phase: Phase;
  /** This payment's amount as typed (electronic tenders); pre-filled with the balance. */
  amountInput: string;
  /** Cash received as typed. */
  tenderedInput: string;
  phoneInput: string;
  emailInput: string;
  attempt: AttemptView | null;
  qrPng: string | null;
  till: TillWait | null;
  card: CardStart | null;
  /** Change to give for the last cash payment. */
  change: Money | null;
  /** A line shown on the method chooser, e.g. "Payment added. Balance …". */
  notice: { key: MessageKey; params?: Params } | null;
  /** The sale is fully paid: the done screen shows. */
  done: boolean;
}

export type Action =
  | { type: "open"; sale: SaleView; flow?: Flow }
  | { type: "choose"; flow: Flow }
  | { type: "back" }
  | { type: "input"; field: "amountInput" | "tenderedInput" | "phoneInput" | "emailInput"; value: string }
  | { type: "starting" }
  | { type: "failed_to_start" }
  | { type: "attempt"; attempt: AttemptView }
  | { type: "qr"; attempt: AttemptView; png: string }
  | { type: "till"; till: TillWait }
  | { type: "card"; card: CardStart }
  | { type: "verifying" }
  | { type: "sale"; sale: SaleView }
  | { type: "cash_paid"; sale: SaleView; change: Money }
  | { type: "retry" }
  | { type: "close" };

export function initialTender(): TenderState {
  return {
    sale: null,
    flow: "choose",
    phase: "enter",
    amountInput: "",
    tenderedInput: "",
    phoneInput: "",
    emailInput: "",
    attempt: null,
    qrPng: null,
    till: null,
    card: null,
    change: null,
    notice: null,
    done: false,
  };
}

/**
 * True while the till waits on the customer or a provider: leaving needs "Stop waiting".
 * Showing the Paybill/Till numbers is not busy: nothing was sent, the cashier may move on.
 */
export function isBusy(s: TenderState): boolean {
  if (s.phase === "waiting") return s.flow !== "till";
  return s.phase === "starting" || s.phase === "verifying";
}

function balanceInput(sale: SaleView): string {
  return toInput(sale.balance.minor, sale.balance.currency);
}

function phaseFor(a: AttemptView): Phase {
  if (a.state === "pending") return "waiting";
  return "outcome";
}

export function reduce(s: TenderState, a: Action): TenderState {
  switch (a.type) {
    case "open": {
      const sale = a.sale;
      return {
        ...initialTender(),
        sale,
        flow: a.flow ?? "choose",
        amountInput: balanceInput(sale),
        phoneInput: sale.customer_phone ?? "",
        done: sale.status === "paid",
      };
    }
    case "choose": {
      if (s.sale === null || isBusy(s) || s.done) return s;
      return {
        ...s,
        flow: a.flow,
        phase: "enter",
        attempt: null,
        qrPng: null,
        till: null,
        card: null,
        amountInput: balanceInput(s.sale),
        tenderedInput: "",
        phoneInput: s.phoneInput !== "" ? s.phoneInput : (s.sale.customer_phone ?? ""),
        notice: a.flow === "choose" ? s.notice : null,
      };
    }
    case "back": {
      if (isBusy(s) || s.done) return s;
      if (s.flow !== "choose") return reduce({ ...s, notice: null }, { type: "choose", flow: "choose" });
      return s; // on the chooser, "back" means leaving the tender panel: the component decides
    }
    case "input":
      return { ...s, [a.field]: a.value };
    case "starting":
      return { ...s, phase: "starting" };
    case "failed_to_start":
      return { ...s, phase: "enter" };
    case "attempt": {
      const cur = s.attempt;
      if (cur !== null && cur.attempt_id !== a.attempt.attempt_id) return s; // not ours
      if (cur === null && (s.phase !== "starting" || a.attempt.sale_id !== s.sale?.sale_id)) return s;
      if (cur !== null && a.attempt.state === "pending" && cur.state !== "pending") return s; // stale
      if (a.attempt.state === "stopped") {
        // "Stop waiting": back to the method chooser, saying where a late payment will show.
        return {
          ...s,
          flow: "choose",
          phase: "enter",
          attempt: null,
          qrPng: null,
          card: null,
          amountInput: s.sale === null ? s.amountInput : balanceInput(s.sale),
          notice: { key: "stopped_body" },
        };
      }
      return { ...s, attempt: a.attempt, phase: phaseFor(a.attempt) };
    }
    case "qr":
      return { ...s, attempt: a.attempt, qrPng: a.png, phase: phaseFor(a.attempt) };
    case "till":
      return { ...s, till: a.till, phase: "waiting" };
    case "card":
      return { ...s, card: a.card, attempt: a.card.attempt, phase: phaseFor(a.card.attempt) };
    case "verifying":
      return { ...s, phase: "verifying" };
    case "sale": {
      if (s.sale === null || s.sale.sale_id !== a.sale.sale_id) return s;
      const done = a.sale.status === "paid";
      const paidMore = a.sale.paid.minor > s.sale.paid.minor;
      let next: TenderState = { ...s, sale: a.sale, done };
      if (!done && paidMore) {
        // Part paid (split tender): the amount for the next tender is the new balance.
        next = {
          ...next,
          amountInput: balanceInput(a.sale),
          notice: { key: "payment_added", params: { amount: formatMoney(a.sale.balance) } },
        };
        // A Paybill/Till wait or a claim that part-paid the sale goes back to the chooser.
        if (s.flow === "till") next = { ...next, flow: "choose", phase: "enter", till: null };
      }
      return next;
    }
    case "cash_paid": {
      const done = a.sale.status === "paid";
      if (done) return { ...s, sale: a.sale, change: a.change, done: true };
      return {
        ...s,
        sale: a.sale,
        change: a.change,
        flow: "choose",
        phase: "enter",
        tenderedInput: "",
        amountInput: balanceInput(a.sale),
        notice: { key: "payment_added", params: { amount: formatMoney(a.sale.balance) } },
      };
    }
    case "retry":
      return { ...s, phase: "enter", attempt: null, qrPng: null, card: null };
    case "close":
      return initialTender();
  }
}

export type AmountCheck = { ok: true; minor: number } | { ok: false; key: MessageKey; params?: Params };

/** This payment's amount: typed, positive, not above the balance. */
export function checkAmount(input: string, sale: SaleView): AmountCheck {
  const currency: Currency = sale.balance.currency;
  const p = parseAmount(input, currency);
  if (!p.ok) return { ok: false, key: `amount_${p.error}` };
  if (p.minor === 0) return { ok: false, key: "amount_zero" };
  if (p.minor > sale.balance.minor) {
    return { ok: false, key: "amount_over_balance", params: { amount: formatMoney(sale.balance) } };
  }
  return { ok: true, minor: p.minor };
}

export type CashPreview =
  | { ok: true; tendered: number; amount: number; change: number; short: number }
  | { ok: false; key: MessageKey };

/**
 * What a cash tender does: everything up to the balance is applied, the rest is change; less
 * than the balance pays part (split tender).
 */
export function cashPreview(input: string, sale: SaleView): CashPreview {
  const p = parseAmount(input, sale.balance.currency);
  if (!p.ok) return { ok: false, key: `amount_${p.error}` };
  if (p.minor === 0) return { ok: false, key: "amount_zero" };
  const balance = sale.balance.minor;
  const amount = Math.min(p.minor, balance);
  return { ok: true, tendered: p.minor, amount, change: p.minor - amount, short: balance - amount };
}

/** Whether the STK "Send" button may be pressed. */
export function canSendStk(s: TenderState): boolean {
  if (s.sale === null || s.phase !== "enter") return false;
  return checkPhone(s.phoneInput).state === "valid" && checkAmount(s.amountInput, s.sale).ok;
}

/**
 * Quick cash buttons: the exact balance, then the next round amounts a customer is likely to
 * hand over (multiples of 50, 100, 500, 1,000 major units). Integer minor units, ascending.
 */
export function quickCash(balanceMinor: number, currency: Currency, max = 4): number[] {
  if (balanceMinor <= 0) return [];
  const unit = currency === "UGX" ? 1 : 100;
  const steps = currency === "UGX" ? [1_000, 5_000, 10_000, 50_000] : [50, 100, 500, 1_000];
  const out = [balanceMinor];
  for (const step of steps) {
    const m = step * unit;
    const up = Math.ceil(balanceMinor / m) * m;
    if (!out.includes(up)) out.push(up);
  }
  return out.sort((a, b) => a - b).slice(0, max);
}

/** The on-screen keypad: digits, "00", ".", backspace ("⌫") and clear ("C") on a typed amount. */
export function keypad(input: string, key: string): string {
  if (key === "C") return "";
  if (key === "⌫") return input.slice(0, -1);
  if (key === "." && input.includes(".")) return input;
  if (/^(\d|00|\.)$/.test(key)) return input + key;
  return input;
}
