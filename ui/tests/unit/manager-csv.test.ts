import { describe, expect, it } from "vitest";
import { importRows, parseCsv } from "../../src/lib/manager/csv";

describe("CSV reader", () => {
  it("reads plain fields, CRLF, a BOM and skips blank lines", () => {
    expect(parseCsv("\uFEFFa,b\r\n1,2\r\n\r\n3,\n")).toEqual({ records: [["a", "b"], ["1", "2"], ["3", ""]], lines: [1, 2, 4] });
  });

  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    const r = parseCsv('name,amount\n"Kamau, John","1,500.00"\n"Say ""hi""","line\nbreak"\nlast,1');
    expect(r).toEqual({ records: [["name", "amount"], ["Kamau, John", "1,500.00"], ['Say "hi"', "line\nbreak"], ["last", "1"]], lines: [1, 2, 3, 5] });
  });

  it("refuses an unclosed quote and text after a closing quote, with the line", () => {
    expect(parseCsv('a\n"open,1\n2')).toEqual({ error: { kind: "unclosed_quote", line: 2 } });
    expect(parseCsv('a\n"x"y')).toEqual({ error: { kind: "junk_after_quote", line: 2 } });
  });
});

describe("control-number import rows", () => {
  it("turns rows into integer minor units with the header in any order", () => {
    const csv = 'Description,Amount,Name,Phone,email,mode\nSchool fees Term 1,"15,000.00",Wanjiru Njeri,0712345678,,partial\nMembership,500,Otieno,,o@example.com,\n';
    expect(importRows(csv, "KES")).toEqual({
      rows: [
        { line: 2, name: "Wanjiru Njeri", phone: "0712345678", email: null, description: "School fees Term 1", amount_minor: 1_500_000, mode: "partial" },
        { line: 3, name: "Otieno", phone: null, email: "o@example.com", description: "Membership", amount_minor: 50_000, mode: "exact" },
      ],
      problems: [],
    });
  });

  it("reports every bad row with its line and sends none of them", () => {
    const csv = "name,description,amount,mode\n,Fees,100,\nA,,100,\nB,Fees,12.345,\nC,Fees,0,\nD,Fees,100,weekly\nE,Fees,100,partial_over";
    const r = importRows(csv, "KES");
    expect(r.rows.map((x) => x.line)).toEqual([7]);
    expect(r.problems).toEqual([
      { line: 2, kind: "empty", column: "name" },
      { line: 3, kind: "empty", column: "description" },
      { line: 4, kind: "amount", error: "too_many_decimals" },
      { line: 5, kind: "amount", error: "zero" },
      { line: 6, kind: "mode", value: "weekly" },
    ]);
  });

  it("needs the name, description and amount columns and at least one row", () => {
    expect(importRows("name,amount\nA,1", "KES").problems).toEqual([{ line: 1, kind: "missing_column", column: "description" }]);
    expect(importRows("name,description,amount\n", "KES").problems).toEqual([{ line: 1, kind: "no_rows" }]);
    expect(importRows('name\n"x', "KES").problems).toEqual([{ line: 2, kind: "csv", error: "unclosed_quote" }]);
  });

  it("reads UGX without decimals", () => {
    expect(importRows("name,description,amount\nA,Fees,\"1,500\"", "UGX").rows[0]?.amount_minor).toBe(1500);
  });
});
