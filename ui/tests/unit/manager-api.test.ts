// api.ts's manager commands against docs/ipc.md "Manager views": names, snake_case arguments
// at the top level, integers only for money.
import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
const listen = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), isTauri: () => true }));
vi.mock("@tauri-apps/api/event", () => ({ listen: (...a: unknown[]) => listen(...a) }));

const { api, on } = await import("../../src/lib/api");

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
  listen.mockReset();
});

const filter = { from_ms: 1, to_ms: 2, methods: ["card" as const], providers: [], statuses: [], cashier: null, text: "TKP" };

describe("manager commands", () => {
  const cases: Array<[string, () => Promise<unknown>, string, unknown]> = [
    ["transactionsPage", () => api.transactionsPage(filter, "o50", 50), "transactions_page", { filter, cursor: "o50", limit: 50 }],
    ["transactionsExportCsv", () => api.transactionsExportCsv(filter), "transactions_export_csv", { filter }],
    ["transactionDetail", () => api.transactionDetail(4, null), "transaction_detail", { payment_id: 4, attempt_id: null }],
    ["unmatchedList", () => api.unmatchedList("TK"), "unmatched_list", { query: "TK" }],
    ["openTargets", () => api.openTargets(""), "open_targets", { query: "" }],
    ["unmatchedAttach", () => api.unmatchedAttach(2, { kind: "sale", id: 42 }, "9999"), "unmatched_attach", { unmatched_id: 2, target: { kind: "sale", id: 42 }, pin: "9999" }],
    ["invoicesList", () => api.invoicesList(null, ""), "invoices_list", { status: null, query: "" }],
    ["invoiceSaveDraft", () => api.invoiceSaveDraft({ invoice_id: null, customer_id: 1, due_date: null, mode: "exact", lines: [{ description: "x", qty: 1, unit_price_minor: 100 }], note: "" }),
      "invoice_save_draft", { input: { invoice_id: null, customer_id: 1, due_date: null, mode: "exact", lines: [{ description: "x", qty: 1, unit_price_minor: 100 }], note: "" } }],
    ["invoiceIssue", () => api.invoiceIssue(3), "invoice_issue", { invoice_id: 3 }],
    ["invoiceVoid", () => api.invoiceVoid(3, "9999"), "invoice_void", { invoice_id: 3, pin: "9999" }],
    ["invoiceDetail", () => api.invoiceDetail(3), "invoice_detail", { invoice_id: 3 }],
    ["invoiceCardLink", () => api.invoiceCardLink(3, 150000, null), "invoice_card_link", { invoice_id: 3, amount_minor: 150000, email: null }],
    ["invoiceBillpay", () => api.invoiceBillpay(3), "invoice_billpay", { invoice_id: 3 }],
    ["invoicePdf", () => api.invoicePdf(3), "invoice_pdf", { invoice_id: 3 }],
    ["customersList", () => api.customersList("wa"), "customers_list", { query: "wa" }],
    ["customerDetail", () => api.customerDetail(1), "customer_detail", { customer_id: 1 }],
    ["customerSave", () => api.customerSave({ customer_id: null, name: "A", phone: null, email: null }), "customer_save", { input: { customer_id: null, name: "A", phone: null, email: null } }],
    ["controlNumbersCreate", () => api.controlNumbersCreate(1, [{ description: "Fees", amount_minor: 500, mode: "partial" }]), "control_numbers_create",
      { customer_id: 1, items: [{ description: "Fees", amount_minor: 500, mode: "partial" }] }],
    ["controlNumbersImport", () => api.controlNumbersImport([]), "control_numbers_import", { rows: [] }],
    ["refundsEnabled", () => api.refundsEnabled(), "refunds_enabled", undefined],
    ["refundRequest", () => api.refundRequest({ payment_id: 4, amount_minor: 4050, receipt: "MLP-1", manager: "Mama", pin: "9999" }), "refund_request",
      { payment_id: 4, amount_minor: 4050, receipt: "MLP-1", manager: "Mama", pin: "9999" }],
    ["reportX", () => api.reportX(), "report_x", undefined],
    ["reportZ", () => api.reportZ(243000, "9999"), "report_z", { counted_cash_minor: 243000, pin: "9999" }],
    ["reportPrint", () => api.reportPrint("z", 1), "report_print", { kind: "z", z_number: 1 }],
    ["reportPdf", () => api.reportPdf("x", null), "report_pdf", { kind: "x", z_number: null }],
  ];
  it.each(cases)("%s", async (_n, run, command, args) => {
    await run();
    expect(invoke).toHaveBeenCalledWith(command, args);
  });

  it("refuses float money before it reaches the backend", () => {
    expect(() => api.reportZ(2430.5, "9999")).toThrow(RangeError);
    expect(() => api.refundRequest({ payment_id: 4, amount_minor: 40.5, receipt: "R", manager: "M", pin: "1" })).toThrow(RangeError);
    expect(() => api.invoiceSaveDraft({ invoice_id: null, customer_id: null, due_date: null, mode: "exact", lines: [{ description: "x", qty: 1, unit_price_minor: 0.1 }], note: "" })).toThrow(RangeError);
    expect(() => api.controlNumbersImport([{ line: 2, name: "A", phone: null, email: null, description: "F", amount_minor: 1.5, mode: "exact" }])).toThrow(RangeError);
    expect(invoke).not.toHaveBeenCalled();
  });

  it("listens to refund-changed and invoice-changed", async () => {
    listen.mockResolvedValue(() => {});
    const seen: unknown[] = [];
    await on("refund-changed", (r) => seen.push(r));
    const [event, handler] = listen.mock.calls[0] as [string, (e: { payload: unknown }) => void];
    expect(event).toBe("refund-changed");
    handler({ payload: { refund_id: 1 } });
    expect(seen).toEqual([{ refund_id: 1 }]);
  });
});
