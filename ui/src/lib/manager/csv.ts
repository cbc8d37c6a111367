// The control-number batch: a small RFC 4180 CSV reader (quotes, doubled quotes, commas and
// line breaks inside quotes, CRLF, a BOM) and the rows it turns into for
// `control_numbers_import`. Amounts are read by lib/money.ts, never as floats.

import type { Currency, ImportRow, InvoiceMode } from "../api";
import { parseAmount, type AmountError } from "../money";

export type CsvError = { kind: "unclosed_quote"; line: number } | { kind: "junk_after_quote"; line: number };

/** Records of fields; the line each record started on (1-based) is in `lines`. */
export function parseCsv(text: string): { records: string[][]; lines: number[] } | { error: CsvError } {
  const s = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: string[][] = [];
  const lines: number[] = [];
  let field = "";
  let record: string[] = [];
  let line = 1;
  let startLine = 1;
  let i = 0;
  let quoted = false;
  let afterQuote = false;
  const endRecord = () => {
    record.push(field);
    field = "";
    // Blank lines are skipped (a trailing newline, or an empty line between rows).
    if (!(record.length === 1 && record[0] === "")) {
      records.push(record);
      lines.push(startLine);
    }
    record = [];
  };
  while (i < s.length) {
    const c = s.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (s.charAt(i + 1) === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
        i++;
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "" && !afterQuote) {
      quoted = true;
      i++;
      continue;
    }
    if (c === ",") {
      record.push(field);
      field = "";
      afterQuote = false;
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      endRecord();
      afterQuote = false;
      if (c === "\r" && s.charAt(i + 1) === "\n") i++;
      i++;
      line++;
      startLine = line;
      continue;
    }
    if (afterQuote) return { error: { kind: "junk_after_quote", line } };
    field += c;
    i++;
  }
  if (quoted) return { error: { kind: "unclosed_quote", line: startLine } };
  if (field !== "" || record.length > 0) endRecord();
  return { records, lines };
}

export const COLUMNS = ["name", "phone", "email", "description", "amount", "mode"] as const;
const REQUIRED = ["name", "description", "amount"] as const;

export type RowProblem =
  | { line: number; kind: "missing_column"; column: string }
  | { line: number; kind: "empty"; column: string }
  | { line: number; kind: "amount"; error: AmountError | "zero" }
  | { line: number; kind: "mode"; value: string }
  | { line: number; kind: "csv"; error: CsvError["kind"] }
  | { line: number; kind: "no_rows" };

const MODES: Record<string, InvoiceMode> = {
  "": "exact",
  exact: "exact",
  partial: "partial",
  partial_over: "partial_over",
  "partial+over": "partial_over",
  over: "partial_over",
};

/**
 * The manager's CSV → import rows. The first line names the columns (any order, any case):
 * name, phone, email, description, amount, mode (exact | partial | partial_over; empty = exact).
 * Every problem is reported with its line; rows are sent only when there are none.
 */
export function importRows(text: string, currency: Currency): { rows: ImportRow[]; problems: RowProblem[] } {
  const parsed = parseCsv(text);
  if ("error" in parsed) return { rows: [], problems: [{ line: parsed.error.line, kind: "csv", error: parsed.error.kind }] };
  const { records, lines } = parsed;
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const problems: RowProblem[] = [];
  for (const col of REQUIRED) if (!header.includes(col)) problems.push({ line: 1, kind: "missing_column", column: col });
  if (problems.length > 0) return { rows: [], problems };
  const at = (rec: string[], col: string) => {
    const i = header.indexOf(col);
    return i < 0 ? "" : (rec[i] ?? "").trim();
  };
  const rows: ImportRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r] ?? [];
    const line = lines[r] ?? r + 1;
    const name = at(rec, "name");
    const description = at(rec, "description");
    let bad = false;
    if (name === "") { problems.push({ line, kind: "empty", column: "name" }); bad = true; }
    if (description === "") { problems.push({ line, kind: "empty", column: "description" }); bad = true; }
    const amount = parseAmount(at(rec, "amount"), currency);
    if (!amount.ok) { problems.push({ line, kind: "amount", error: amount.error }); bad = true; }
    else if (amount.minor === 0) { problems.push({ line, kind: "amount", error: "zero" }); bad = true; }
    const modeText = at(rec, "mode").toLowerCase();
    const mode = MODES[modeText];
    if (mode === undefined) { problems.push({ line, kind: "mode", value: modeText }); bad = true; }
    if (bad || !amount.ok || mode === undefined) continue;
    const phone = at(rec, "phone");
    const email = at(rec, "email");
    rows.push({ line, name, phone: phone === "" ? null : phone, email: email === "" ? null : email, description, amount_minor: amount.minor, mode });
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ line: 1, kind: "no_rows" });
  return { rows, problems };
}
