// Invoice drafts: the editable lines (typed text) → `InvoiceDraftInput`, line and invoice
// totals in integer minor units, and what stops an issue.

import type { Currency, InvoiceDraftInput, InvoiceMode, InvoiceView } from "../api";
import { parseAmount, toInput } from "../money";

export interface LineForm {
  description: string;
  qty: string;
  price: string;
}
export interface DraftForm {
  invoice_id: number | null;
  customer_id: number | null;
  due_date: string;
  mode: InvoiceMode;
  note: string;
  lines: LineForm[];
}

export const blankLine = (): LineForm => ({ description: "", qty: "1", price: "" });
export const blankDraft = (): DraftForm => ({ invoice_id: null, customer_id: null, due_date: "", mode: "exact", note: "", lines: [blankLine()] });

export function draftFromView(v: InvoiceView): DraftForm {
  return {
    invoice_id: v.invoice_id,
    customer_id: v.customer?.customer_id ?? null,
    due_date: v.due_date ?? "",
    mode: v.mode,
    note: v.note,
    lines: v.lines.length === 0 ? [blankLine()] : v.lines.map((l) => ({ description: l.description, qty: String(l.qty), price: toInput(l.unit_price.minor, l.unit_price.currency) })),
  };
}

export type LineCheck = { ok: true; qty: number; unit: number; total: number; blank: boolean } | { ok: false; field: "qty" | "price" | "description" };

export function checkLine(l: LineForm, currency: Currency): LineCheck {
  const blank = l.description.trim() === "" && l.price.trim() === "";
  if (blank) return { ok: true, qty: 0, unit: 0, total: 0, blank: true };
  if (l.description.trim() === "") return { ok: false, field: "description" };
  if (!/^\d{1,6}$/.test(l.qty.trim()) || Number(l.qty) <= 0) return { ok: false, field: "qty" };
  const p = parseAmount(l.price, currency);
  if (!p.ok || p.minor === 0) return { ok: false, field: "price" };
  const qty = Number(l.qty.trim());
  const total = BigInt(qty) * BigInt(p.minor);
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, field: "price" };
  return { ok: true, qty, unit: p.minor, total: Number(total), blank: false };
}

export function draftTotal(f: DraftForm, currency: Currency): number {
  let sum = 0;
  for (const l of f.lines) {
    const c = checkLine(l, currency);
    if (c.ok) sum += c.total;
  }
  return sum;
}

/** The save command's input; null while a line is wrong (the form marks it). */
export function draftInput(f: DraftForm, currency: Currency): InvoiceDraftInput | null {
  const lines = [];
  for (const l of f.lines) {
    const c = checkLine(l, currency);
    if (!c.ok) return null;
    if (c.blank) continue;
    lines.push({ description: l.description.trim(), qty: c.qty, unit_price_minor: c.unit });
  }
  return {
    invoice_id: f.invoice_id,
    customer_id: f.customer_id,
    due_date: /^\d{4}-\d{2}-\d{2}$/.test(f.due_date) ? f.due_date : null,
    mode: f.mode,
    lines,
    note: f.note.trim(),
  };
}

export function issueProblem(f: DraftForm, currency: Currency): "issue_needs_customer" | "issue_needs_lines" | "issue_bad_line" | null {
  const input = draftInput(f, currency);
  if (input === null) return "issue_bad_line";
  if (input.customer_id === null) return "issue_needs_customer";
  if (input.lines.length === 0) return "issue_needs_lines";
  return null;
}
