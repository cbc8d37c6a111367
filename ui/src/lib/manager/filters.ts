// All Transactions: the manager's filter form → the `TxFilter` both `transactions_page` and
// `transactions_export_csv` get (the same object, so the file holds exactly the rows shown),
// and the keyset pager (a stack of cursors: "next" pushes the backend's cursor, "back" pops).

import type { Method, PayProvider, TxFilter, TxStatus } from "../api";

export const METHODS: readonly Method[] = ["cash", "mpesa_stk", "mpesa_qr", "mpesa_paybill", "mpesa_till", "card", "billpay"];
export const PROVIDERS: readonly PayProvider[] = ["none", "daraja", "paystack", "clickpesa"];
export const STATUSES: readonly TxStatus[] = ["received", "pending", "failed", "refunded", "unmatched"];
export const PAGE_SIZE = 50;

export interface FilterForm {
  from: string; // "YYYY-MM-DD" or ""
  to: string; // "YYYY-MM-DD" (inclusive day) or ""
  methods: Method[];
  providers: PayProvider[];
  statuses: TxStatus[];
  cashier: string;
  text: string;
}

export function emptyForm(): FilterForm {
  return { from: "", to: "", methods: [], providers: [], statuses: [], cashier: "", text: "" };
}

/** Today as the date input wants it, in the till's local time. */
export function isoDay(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function todayForm(now: number): FilterForm {
  const day = isoDay(now);
  return { ...emptyForm(), from: day, to: day };
}

/** Local midnight of a "YYYY-MM-DD" day, as epoch ms; null if the text is not such a day. */
export function dayStart(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date.getTime();
}

function nextDay(day: string): number | null {
  const start = dayStart(day);
  if (start === null) return null;
  const d = new Date(start);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/** Keeps the order of `all`, whatever order the boxes were ticked in (stable arguments). */
function ordered<T>(picked: readonly T[], all: readonly T[]): T[] {
  return all.filter((x) => picked.includes(x));
}

export function filterArgs(f: FilterForm): TxFilter {
  const text = f.text.trim();
  const cashier = f.cashier.trim();
  return {
    from_ms: f.from === "" ? null : dayStart(f.from),
    to_ms: f.to === "" ? null : nextDay(f.to),
    methods: ordered(f.methods, METHODS),
    providers: ordered(f.providers, PROVIDERS),
    statuses: ordered(f.statuses, STATUSES),
    cashier: cashier === "" ? null : cashier,
    text: text === "" ? null : text,
  };
}

/** A problem with the dates the UI shows before asking the backend. */
export function dateProblem(f: FilterForm): "bad_from" | "bad_to" | "to_before_from" | null {
  if (f.from !== "" && dayStart(f.from) === null) return "bad_from";
  if (f.to !== "" && dayStart(f.to) === null) return "bad_to";
  if (f.from !== "" && f.to !== "" && (dayStart(f.to) ?? 0) < (dayStart(f.from) ?? 0)) return "to_before_from";
  return null;
}

/** True when something narrows the list beyond a date range (the totals say "filtered"). */
export function narrowed(t: TxFilter): boolean {
  return t.methods.length > 0 || t.providers.length > 0 || t.statuses.length > 0 || t.cashier !== null || t.text !== null;
}

export function toggle<T>(list: readonly T[], x: T): T[] {
  return list.includes(x) ? list.filter((y) => y !== x) : [...list, x];
}

// --- keyset pager ---------------------------------------------------------------------------

export interface Pager {
  /** cursors[i] is what page i was asked with (page 0: null). */
  cursors: Array<string | null>;
  /** The backend's `next` for the page on screen. */
  next: string | null;
}

export const firstPage = (): Pager => ({ cursors: [null], next: null });
export const currentCursor = (p: Pager): string | null => p.cursors[p.cursors.length - 1] ?? null;
export const pageNumber = (p: Pager): number => p.cursors.length;
export const canNext = (p: Pager): boolean => p.next !== null;
export const canPrev = (p: Pager): boolean => p.cursors.length > 1;

/** The page arrived: remember its `next`. */
export function arrived(p: Pager, next: string | null): Pager {
  return { cursors: p.cursors, next };
}
export function goNext(p: Pager): Pager {
  if (p.next === null) return p;
  return { cursors: [...p.cursors, p.next], next: null };
}
export function goPrev(p: Pager): Pager {
  if (p.cursors.length <= 1) return p;
  return { cursors: p.cursors.slice(0, -1), next: null };
}
