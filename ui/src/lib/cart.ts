// The register's cart-side logic: what the search box means, which products match, which
// cart line is selected, and which key does what. Plain functions, tested without a DOM.

import type { CartLine, CatalogueItem } from "./api";

export interface ScanInput {
  qty: number;
  code: string;
}

/** "3*6001234" → 3 × 6001234; "6001234" → 1 ×. Null when there is nothing to add. */
export function parseScan(input: string): ScanInput | null {
  const s = input.trim();
  if (s === "") return null;
  const m = /^(\d{1,4})\s*[*xX]\s*(\S.*)$/.exec(s);
  if (m !== null) {
    const qty = Number.parseInt(m[1] ?? "", 10);
    const code = (m[2] ?? "").trim();
    if (qty < 1 || code === "") return null;
    return { qty, code };
  }
  return { qty: 1, code: s };
}

/** Products matching the query: exact code/barcode first, then code prefix, then name words. */
export function search(items: readonly CatalogueItem[], query: string, limit = 12): CatalogueItem[] {
  const scan = parseScan(query);
  if (scan === null) return [];
  const q = scan.code.toLowerCase();
  const exact: CatalogueItem[] = [];
  const prefix: CatalogueItem[] = [];
  const name: CatalogueItem[] = [];
  const words = q.split(/\s+/).filter((w) => w !== "");
  for (const it of items) {
    const code = it.code.toLowerCase();
    if (code === q || it.barcode === scan.code) exact.push(it);
    else if (code.startsWith(q) || (it.barcode ?? "").startsWith(scan.code)) prefix.push(it);
    else {
      const n = it.name.toLowerCase();
      if (words.every((w) => n.includes(w))) name.push(it);
    }
  }
  return [...exact, ...prefix, ...name].slice(0, limit);
}

/** True when the text looks like a scanner's output or a typed code rather than a name. */
export function looksLikeCode(items: readonly CatalogueItem[], query: string): boolean {
  const scan = parseScan(query);
  if (scan === null) return false;
  if (/^\d{4,}$/.test(scan.code)) return true;
  const q = scan.code.toLowerCase();
  return items.some((it) => it.code.toLowerCase() === q);
}

/** What Enter in the search box adds: the typed code itself, or the highlighted match. */
export function enterTarget(
  items: readonly CatalogueItem[],
  query: string,
  highlighted: number,
): ScanInput | null {
  const scan = parseScan(query);
  if (scan === null) return null;
  if (looksLikeCode(items, query)) return scan;
  const matches = search(items, query);
  const pick = matches[Math.max(0, Math.min(highlighted, matches.length - 1))];
  if (pick === undefined) return scan; // let the backend say "unknown item"
  return { qty: scan.qty, code: pick.code };
}

/** The selected line after moving by `delta`, clamped; the last line when nothing was selected. */
export function moveSelection(lines: readonly CartLine[], selected: number | null, delta: number): number | null {
  if (lines.length === 0) return null;
  const idx = lines.findIndex((l) => l.line_id === selected);
  if (idx < 0) return (delta < 0 ? lines[lines.length - 1] : lines[0])?.line_id ?? null;
  const next = Math.max(0, Math.min(lines.length - 1, idx + delta));
  return lines[next]?.line_id ?? null;
}

/** Keeps the selection valid after the cart changed: the same line, else the last one. */
export function keepSelection(lines: readonly CartLine[], selected: number | null): number | null {
  if (lines.length === 0) return null;
  if (selected !== null && lines.some((l) => l.line_id === selected)) return selected;
  return lines[lines.length - 1]?.line_id ?? null;
}

export type KeyAction =
  | "pay_cash"
  | "pay_stk"
  | "pay_qr"
  | "pay_till"
  | "pay_card"
  | "discount"
  | "hold"
  | "recall"
  | "back"
  | "pay";

/** Function keys of the register (F2 cash … F9 recall, Esc back, F12 pay). */
export function keyAction(key: string): KeyAction | null {
  switch (key) {
    case "F2":
      return "pay_cash";
    case "F3":
      return "pay_stk";
    case "F4":
      return "pay_qr";
    case "F5":
      return "pay_till";
    case "F6":
      return "pay_card";
    case "F7":
      return "discount";
    case "F8":
      return "hold";
    case "F9":
      return "recall";
    case "F12":
      return "pay";
    case "Escape":
      return "back";
    default:
      return null;
  }
}

/** "14:05" in the till's local time. */
export function timeOfDay(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}
