// The manager views in a browser against the fake backend: filter and export, attach an
// unmatched receipt, an invoice paid by Paybill in two parts, control numbers from a CSV,
// refunds refused when off and completed when on, an X then a Z report.
import { expect, test, type Page } from "@playwright/test";
import { calls, fake, open } from "./helpers";

const asManager = (page: Page, hash: string, extra: Record<string, unknown> = {}) => open(page, { user: "Mama", ...extra }, hash);

test("a cashier needs the manager PIN to reach the manager views", async ({ page }) => {
  await open(page);
  await page.getByTestId("manager-link").click();
  await page.getByLabel("Manager PIN").fill("1234");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toContainText("Only a manager");
  await page.getByLabel("Manager PIN").fill("9999");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("tx-row").first()).toBeVisible();
  await page.getByRole("link", { name: "Register" }).click();
  await expect(page.getByTestId("search")).toBeVisible();
  expect((await calls(page, "manager_lock")).length).toBe(1);
});

test("all transactions: KPIs, pages, filters that combine, and a CSV of exactly what is shown", async ({ page }) => {
  await asManager(page, "#/manager/transactions");
  await expect(page.getByTestId("tx-row")).toHaveCount(50);
  await expect(page.getByTestId("totals-scope")).toContainText("every transaction");
  await expect(page.getByTestId("kpi_failed")).toContainText("KES 450.00");
  await expect(page.getByTestId("kpi_pending")).toContainText("1 transactions");
  await expect(page.getByTestId("kpi_unmatched")).toContainText("KES 1,000.00");
  // 55 payments of 100.00 + 5.00 × i: 55 × 100.00 + 5.00 × (0 + … + 54) = 12,925.00
  await expect(page.getByTestId("kpi_received")).toContainText("KES 12,925.00");
  await expect(page.getByTestId("chart").locator("[data-testid=chart-col]")).toHaveCount(10);
  const first = (await calls(page, "transactions_page"))[0]?.args as { filter: Record<string, unknown>; cursor: unknown; limit: number };
  expect(first.cursor).toBeNull();
  expect(first.limit).toBe(50);
  expect(first.filter).toMatchObject({ methods: [], providers: [], statuses: [], cashier: null, text: null });
  expect(typeof first.filter["from_ms"]).toBe("number");

  await page.getByTestId("page-next").click();
  await expect(page.getByTestId("page-n")).toHaveText("Page 2");
  await expect(page.getByTestId("tx-row")).toHaveCount(8);
  expect((await calls(page, "transactions_page")).at(-1)?.args).toMatchObject({ cursor: "o50" });
  await page.getByTestId("page-prev").click();
  await expect(page.getByTestId("tx-row")).toHaveCount(50);

  // Card, by Aisha: the filters combine and the totals say they are filtered.
  await page.getByTestId("f-method-card").click();
  await page.getByTestId("f-cashier").fill("Baraka");
  await page.getByTestId("f-apply").click();
  await expect(page.getByTestId("totals-scope")).toContainText("Filtered");
  const rows = page.getByTestId("tx-row");
  await expect(rows).toHaveCount(6);
  for (const r of await rows.all()) {
    await expect(r).toContainText("Card");
    await expect(r).toContainText("Baraka");
  }
  await page.getByTestId("export-csv").click();
  await expect(page.getByTestId("export-note")).toHaveText("Saved 6 rows to /home/mama/Documents/malipo-transactions.csv");
  const shown = (await calls(page, "transactions_page")).at(-1)?.args as { filter: unknown };
  const exported = (await calls(page, "transactions_export_csv"))[0]?.args as { filter: unknown };
  expect(exported.filter).toEqual(shown.filter);
  expect(shown.filter).toMatchObject({ methods: ["card"], cashier: "Baraka", statuses: [], text: null });

  // Free text finds a receipt; the row opens its detail with the raw provider event and audit.
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByTestId("f-text").fill("0712345678");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("tx-row")).toHaveCount(1);
  await expect(page.getByTestId("tx-row")).toContainText("TKP5ZZ81AB");
  await page.getByTestId("tx-open").click();
  await expect(page.getByTestId("drawer-target")).toContainText("T1-000101");
  await expect(page.getByTestId("drawer-refs")).toContainText("TKP5ZZ81AB");
  await expect(page.getByTestId("drawer-raw")).toContainText("MpesaReceiptNumber");
  await expect(page.getByTestId("drawer-audit")).toContainText("allocated");
  await expect(page.getByTestId("refunds-off")).toBeVisible();
  await expect(page.getByTestId("refund-button")).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("tx-drawer")).toHaveCount(0);
});

test("unmatched receipt attached to an open sale, with the over-payment warning and the PIN", async ({ page }) => {
  await asManager(page, "#/manager/unmatched");
  const rows = page.getByTestId("um-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("The account number typed matches no sale or invoice");
  await expect(rows.nth(0)).toContainText("INV-999");
  await expect(rows.nth(1)).toContainText("Arrived after its sale was voided");
  await expect(page.getByRole("button", { name: /delete/i })).toHaveCount(0);

  await rows.nth(0).getByTestId("um-attach").click();
  await page.getByTestId("um-target-search").fill("T1-000042");
  await page.keyboard.press("Enter");
  await page.getByTestId("um-target").filter({ hasText: "T1-000042" }).click();
  await expect(page.getByTestId("attach-what")).toContainText("KES 600.00 from MARY WANJIKU (receipt TUNKNOWN1) will be paid into T1-000042");
  await expect(page.getByTestId("attach-warning")).toContainText("KES 400.00 more than the balance");
  await page.getByTestId("confirm-pin").fill("1111");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("confirm-dialog").getByRole("alert")).toContainText("Wrong name or PIN");
  await page.getByTestId("confirm-pin").fill("9999");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("um-note")).toContainText("Attached to T1-000042. Balance now KES 0.00.");
  expect((await calls(page, "unmatched_attach")).at(-1)?.args).toEqual({ unmatched_id: 2, target: { kind: "sale", id: 42 }, pin: "9999" });
  // The 400.00 left over stays here, with its reason.
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("KES 400.00");
  await expect(rows.nth(0)).toContainText("Left over after paying a balance in full");
});

test("invoice drafted, issued, then paid by Paybill in part and in full", async ({ page }) => {
  await asManager(page, "#/manager/invoices");
  await page.getByTestId("inv-new").click();
  await page.getByTestId("inv-issue").click();
  await expect(page.getByTestId("inv-problem")).toHaveText("Choose a customer before issuing.");
  await page.getByTestId("inv-customer").selectOption({ label: "Wanjiru Njeri · 0712 345 678" });
  await page.getByTestId("inv-mode").selectOption("partial");
  await page.getByTestId("inv-due").fill("2026-12-31");
  await page.getByTestId("inv-line-desc").fill("School fees Term 1");
  await page.getByTestId("inv-line-qty").fill("1");
  await page.getByTestId("inv-line-price").fill("12,000");
  await page.getByTestId("inv-add-line").click();
  await page.getByTestId("inv-line-desc").nth(1).fill("Uniform");
  await page.getByTestId("inv-line-qty").nth(1).fill("2");
  await page.getByTestId("inv-line-price").nth(1).fill("1500");
  await expect(page.getByTestId("inv-draft-total")).toHaveText("KES 15,000.00");
  await page.getByTestId("inv-issue").click();
  await expect(page.getByTestId("inv-note")).toContainText("Invoice INV-000001 issued.");
  await expect(page.getByTestId("inv-status")).toHaveText("Issued");
  await expect(page.getByTestId("inv-paybill")).toHaveText("M-Pesa Paybill 522522, account INV-000001");
  expect((await calls(page, "invoice_save_draft")).at(-1)?.args).toEqual({
    input: { invoice_id: null, customer_id: 1, due_date: "2026-12-31", mode: "partial", note: "",
      lines: [{ description: "School fees Term 1", qty: 1, unit_price_minor: 1_200_000 }, { description: "Uniform", qty: 2, unit_price_minor: 150_000 }] },
  });
  await page.getByTestId("inv-card-link").click();
  await expect(page.getByTestId("inv-link-qr")).toBeVisible();
  expect((await calls(page, "invoice_card_link")).at(-1)?.args).toEqual({ invoice_id: 1, amount_minor: 1_500_000, email: null });
  await page.getByTestId("inv-billpay").click();
  await expect(page.getByTestId("inv-control-number")).toHaveText("CN00077001");

  await fake(page, "payInvoice", "INV-000001", 500_000, "TPB1PART");
  await expect(page.getByTestId("inv-status")).toHaveText("Part paid");
  await expect(page.getByTestId("inv-balance")).toHaveText("KES 10,000.00");
  await expect(page.getByTestId("inv-payment")).toHaveCount(1);
  await fake(page, "payInvoice", "INV-000001", 1_000_000, "TPB2FULL");
  await expect(page.getByTestId("inv-status")).toHaveText("Paid");
  await expect(page.getByTestId("inv-balance")).toHaveText("KES 0.00");
  await expect(page.getByTestId("inv-paid")).toHaveText("KES 15,000.00");
  await expect(page.getByTestId("inv-payment")).toHaveCount(2);
  await expect(page.getByTestId("inv-payments")).toContainText("TPB2FULL");
  await page.getByTestId("inv-pdf").click();
  await expect(page.getByTestId("inv-note")).toContainText("Saved to /home/mama/Documents/INV-000001.pdf");
});

test("a batch of customer control numbers from a CSV file", async ({ page }) => {
  await asManager(page, "#/manager/customers");
  await expect(page.getByTestId("cu-row")).toHaveCount(2);
  const bad = "name,description,amount\nAmina,Fees,12.345\n";
  await page.getByTestId("cu-file").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await expect(page.getByTestId("cu-import-problems")).toContainText("Line 2: the amount — Too many digits after the decimal point");
  await expect(page.getByTestId("cu-import-send")).toHaveCount(0);

  const csv = [
    "name,phone,email,description,amount,mode",
    "Wanjiru Njeri,0712345678,,School fees Term 1,\"15,000.00\",partial",
    "Wanjiru Njeri,0712345678,,Bus fees Term 1,3500,exact",
    "\"Kamau, Grace\",0700111222,grace@example.com,Membership 2027,1200,",
  ].join("\r\n");
  await page.getByTestId("cu-file").setInputFiles({ name: "fees.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(page.getByTestId("cu-import-ready")).toHaveText("3 rows ready in fees.csv");
  await page.getByTestId("cu-import-send").click();
  await expect(page.getByTestId("cu-import-done")).toContainText("Created 3 control numbers (1 new customers).");
  expect((await calls(page, "control_numbers_import"))[0]?.args).toEqual({
    rows: [
      { line: 2, name: "Wanjiru Njeri", phone: "0712345678", email: null, description: "School fees Term 1", amount_minor: 1_500_000, mode: "partial" },
      { line: 3, name: "Wanjiru Njeri", phone: "0712345678", email: null, description: "Bus fees Term 1", amount_minor: 350_000, mode: "exact" },
      { line: 4, name: "Kamau, Grace", phone: "0700111222", email: "grace@example.com", description: "Membership 2027", amount_minor: 120_000, mode: "exact" },
    ],
  });
  await expect(page.getByTestId("cu-row")).toHaveCount(3);
  await page.getByTestId("cu-row").filter({ hasText: "Wanjiru Njeri" }).click();
  await expect(page.getByTestId("cn-item")).toHaveCount(2);
  await expect(page.getByTestId("cn-item").first()).toContainText("School fees Term 1");
  await expect(page.getByTestId("cn-item").first()).toContainText("KES 15,000.00");
});

test("refunds: refused while turned off, then a partial card refund completes and re-opens the balance", async ({ page }) => {
  await asManager(page, "#/manager/transactions");
  await page.getByTestId("f-text").fill("MLP-103");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("tx-row")).toHaveCount(1);
  await page.getByTestId("tx-open").click();
  await expect(page.getByTestId("refunds-off")).toHaveText("Refunds are turned off (Settings → Options).");
  await expect(page.getByTestId("refund-button")).toHaveCount(0);
  // The backend refuses too, whatever a screen would send.
  const refused = await page.evaluate(async () => {
    const w = window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string, a: unknown) => Promise<unknown> } };
    return w.__TAURI_INTERNALS__.invoke("refund_request", { payment_id: 4, amount_minor: 100, receipt: "MLP-103", manager: "Mama", pin: "9999" }).catch((e: unknown) => e);
  });
  expect(refused).toMatchObject({ code: "refunds_disabled" });

  // Turn refunds on in settings and come back.
  await page.getByTestId("drawer-close").click();
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Refunds allowed").check();
  await page.getByTestId("settings").getByRole("button", { name: "Save" }).nth(5).click();
  await expect(page.getByTestId("note-options")).toHaveText("Saved.");
  await page.getByTestId("manager-link").click();
  await page.getByTestId("f-text").fill("MLP-103");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("tx-row")).toHaveCount(1);
  await page.getByTestId("tx-open").click();
  await expect(page.getByTestId("drawer-balance")).toHaveText("KES 0.00");
  await page.getByTestId("refund-button").click();
  await expect(page.getByTestId("refund-what")).toContainText("KES 115.00 goes back to the customer by Card");
  await page.getByTestId("refund-receipt").fill("MLP-999");
  await page.getByTestId("refund-amount").fill("200");
  await page.getByTestId("refund-confirm").click();
  await expect(page.getByTestId("refund-receipt-error")).toHaveText("The receipt number does not match.");
  await expect(page.getByTestId("refund-amount-error")).toHaveText("More than can be refunded.");
  await expect(page.getByTestId("refund-pin-error")).toHaveText("Enter the manager PIN.");
  expect(await calls(page, "refund_request")).toHaveLength(1); // only the one the test sent itself
  await page.getByTestId("refund-receipt").fill("mlp-103");
  await page.getByTestId("refund-amount").fill("40.50");
  await page.getByTestId("refund-pin").fill("9999");
  await page.getByTestId("refund-confirm").click();
  await expect(page.getByTestId("refund-progress")).toHaveAttribute("data-state", "pending");
  await expect(page.getByTestId("refund-progress")).toContainText("waiting for the provider to confirm");
  expect((await calls(page, "refund_request")).at(-1)?.args).toEqual({ payment_id: 4, amount_minor: 4050, receipt: "mlp-103", manager: "Mama", pin: "9999" });
  await fake(page, "finishRefund", null, "completed");
  await expect(page.getByTestId("refund-progress")).toHaveAttribute("data-state", "completed");
  await expect(page.getByTestId("refund-progress")).toContainText("Refund completed: KES 40.50. Balance open again: KES 40.50.");
  await page.getByTestId("refund-close").click();
  await expect(page.getByTestId("drawer-balance")).toHaveText("KES 40.50");
  await expect(page.getByTestId("drawer-refund")).toContainText("Completed");
  await expect(page.getByTestId("refund-button")).toContainText("KES 74.50");
});

test("day end: an X report, then the Z report with the counted cash and its difference", async ({ page }) => {
  await asManager(page, "#/manager/day-end");
  await expect(page.getByTestId("report")).toHaveAttribute("data-kind", "x");
  await expect(page.getByTestId("report-title")).toHaveText("X report");
  // Cash rows: i = 0, 5, …, 50 → 11 × 100.00 + 5.00 × (0 + 5 + … + 50) = 2,475.00
  await expect(page.getByTestId("cash-expected")).toHaveText("KES 2,475.00");
  await expect(page.getByTestId("report-total")).toHaveText("KES 12,925.00");
  await expect(page.getByTestId("report-pending")).toHaveText("1");
  await expect(page.getByTestId("report-unmatched")).toContainText("2");
  await expect(page.getByTestId("report-cashiers")).toContainText("Aisha");
  await page.getByTestId("report-print").click();
  await expect(page.getByTestId("dayend-note")).toContainText("Sent to the receipt printer.");
  expect((await calls(page, "report_print"))[0]?.args).toEqual({ kind: "x", z_number: null });

  await page.getByTestId("counted-cash").fill("2,430");
  await expect(page.getByTestId("cash-verdict")).toHaveText("▼ Short by KES 45.00");
  await page.getByTestId("counted-cash").fill("2475");
  await expect(page.getByTestId("cash-verdict")).toHaveText("✔ The cash matches.");
  await page.getByTestId("counted-cash").fill("2430");
  await page.getByTestId("close-day").click();
  await expect(page.getByTestId("close-what")).toContainText("KES 2,430.00 counted against KES 2,475.00 expected (difference KES -45.00)");
  await page.getByTestId("confirm-pin").fill("9999");
  await page.getByTestId("confirm-ok").click();
  await expect(page.getByTestId("report")).toHaveAttribute("data-kind", "z");
  await expect(page.getByTestId("report-title")).toHaveText("Z report 1");
  await expect(page.getByTestId("report-difference")).toHaveText("KES -45.00");
  await expect(page.getByTestId("dayend-note")).toContainText("Day closed: Z report 1.");
  expect((await calls(page, "report_z"))[0]?.args).toEqual({ counted_cash_minor: 243_000, pin: "9999" });
  await page.getByTestId("report-pdf").click();
  await expect(page.getByTestId("dayend-note")).toContainText("Saved to /home/mama/Documents/malipo-z-1.pdf");
  expect((await calls(page, "report_pdf"))[0]?.args).toEqual({ kind: "z", z_number: 1 });
});

// Earlier takings for the chart, and the days around them, all in the page's local time:
// 3 days ago cash 200.00 at 10:00 and card 50.00 at 15:00, yesterday M-Pesa 70.00 at 09:00.
async function earlierTakings(page: Page, months: readonly string[]): Promise<{ weekAgo: string; yesterday: string; labels: string[] }> {
  return page.evaluate((mon) => {
    const f = (window as unknown as { __fake: { addPayment: (p: { at_ms: number; minor: number; method: string }) => unknown } }).__fake;
    const midnight = (daysAgo: number) => { const x = new Date(); x.setHours(0, 0, 0, 0); x.setDate(x.getDate() - daysAgo); return x; };
    const at = (daysAgo: number, hour: number) => { const x = midnight(daysAgo); x.setHours(hour); return x.getTime(); };
    f.addPayment({ at_ms: at(3, 10), minor: 20000, method: "cash" });
    f.addPayment({ at_ms: at(3, 15), minor: 5000, method: "card" });
    f.addPayment({ at_ms: at(1, 9), minor: 7000, method: "mpesa_stk" });
    const p2 = (n: number) => String(n).padStart(2, "0");
    const iso = (x: Date) => `${x.getFullYear()}-${p2(x.getMonth() + 1)}-${p2(x.getDate())}`;
    const label = (x: Date) => `${x.getDate()} ${mon[x.getMonth()]}`;
    return { weekAgo: iso(midnight(6)), yesterday: iso(midnight(1)), labels: [label(midnight(3)), label(midnight(1)), label(midnight(0))] };
  }, months);
}
const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SW_MONTHS = ["Jan", "Feb", "Mac", "Apr", "Mei", "Jun", "Jul", "Ago", "Sep", "Okt", "Nov", "Des"];

test("the chart: a column per hour for a day or two, a column per day for longer or open ranges", async ({ page }) => {
  await asManager(page, "#/manager/transactions");
  const chart = page.getByTestId("chart");
  await expect(chart.getByTestId("chart-title")).toHaveText("Takings by hour and method");
  await expect(chart.getByTestId("chart-col")).toHaveCount(10);
  await expect(chart.getByTestId("chart-label").first()).toHaveText("08:00");
  const d = await earlierTakings(page, EN_MONTHS);

  // A week: one column per day with takings, labelled day and month.
  await page.getByTestId("f-from").fill(d.weekAgo);
  await page.getByTestId("f-apply").click();
  await expect(chart.getByTestId("chart-title")).toHaveText("Takings by day and method");
  await expect(chart.getByTestId("chart-label")).toHaveText(d.labels);
  await expect(chart.getByTestId("chart-col").first()).toHaveAttribute("data-total", "25000");
  await expect(chart.getByTestId("chart-col").last()).toHaveAttribute("data-total", "1292500");

  // Yesterday and today are 48 hours: hours again (yesterday's 09:00 and today's ten).
  await page.getByTestId("f-from").fill(d.yesterday);
  await page.getByTestId("f-apply").click();
  await expect(chart.getByTestId("chart-title")).toHaveText("Takings by hour and method");
  await expect(chart.getByTestId("chart-col")).toHaveCount(11);
  await expect(chart.getByTestId("chart-col").first()).toHaveAttribute("data-total", "7000");
  await expect(chart.getByTestId("chart-label").first()).toHaveText("09:00");

  // No dates at all: days.
  await page.getByTestId("f-from").fill("");
  await page.getByTestId("f-to").fill("");
  await page.getByTestId("f-apply").click();
  await expect(chart.getByTestId("chart-title")).toHaveText("Takings by day and method");
  await expect(chart.getByTestId("chart-label")).toHaveText(d.labels);
  expect((await calls(page, "transactions_page")).at(-1)?.args).toMatchObject({ filter: { from_ms: null, to_ms: null } });
});

test("the chart speaks Kiswahili: its title and the months of its day columns", async ({ page }) => {
  await open(page, { user: "Baraka" }, "#/manager/transactions");
  await page.getByLabel("PIN ya meneja").fill("9999");
  await page.keyboard.press("Enter");
  const chart = page.getByTestId("chart");
  await expect(chart.getByTestId("chart-title")).toHaveText("Mapato kwa saa na kwa njia");
  const d = await earlierTakings(page, SW_MONTHS);
  await page.getByTestId("f-from").fill(d.weekAgo);
  await page.getByTestId("f-apply").click();
  await expect(chart.getByTestId("chart-title")).toHaveText("Mapato kwa siku na kwa njia");
  await expect(chart.getByTestId("chart-label")).toHaveText(d.labels);
});

test("the manager views speak Kiswahili to a Kiswahili-speaking user", async ({ page }) => {
  await open(page, { user: "Baraka" }, "#/manager/day-end");
  await page.getByLabel("PIN ya meneja").fill("9999");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("tab-day-end")).toHaveText("Mwisho wa siku");
  await expect(page.getByTestId("report-title")).toHaveText("Ripoti X");
  await page.getByTestId("counted-cash").fill("2,500");
  await expect(page.getByTestId("cash-verdict")).toHaveText("▲ Ziada ya KES 25.00");
  await page.getByTestId("tab-unmatched").click();
  await expect(page.getByTestId("um-reason").first()).toContainText("Namba ya akaunti iliyoandikwa hailingani");
});

test("an invoice's Paybill payment reversed: the reversal line appears and the balance re-opens", async ({ page }) => {
  await asManager(page, "#/manager/invoices", { refunds: true });
  await page.getByTestId("inv-new").click();
  await page.getByTestId("inv-customer").selectOption({ label: "Otieno Odhiambo · 0722 000 111" });
  await page.getByTestId("inv-line-desc").fill("Membership 2027");
  await page.getByTestId("inv-line-price").fill("2000");
  await page.getByTestId("inv-issue").click();
  await expect(page.getByTestId("inv-status")).toHaveText("Issued");
  await fake(page, "payInvoice", "INV-000001", 200_000, "TPBREV001");
  await expect(page.getByTestId("inv-status")).toHaveText("Paid");
  await page.getByTestId("inv-payment").getByRole("button", { name: /Refund/ }).click();
  await expect(page.getByTestId("refund-what")).toContainText("KES 2,000.00 goes back to the customer by M-Pesa Paybill. The balance of INV-000001 opens again.");
  await expect(page.getByTestId("refund-amount")).toHaveAttribute("readonly", "");
  await page.getByTestId("refund-receipt").fill("TPBREV001");
  await page.getByTestId("refund-pin").fill("9999");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("refund-progress")).toHaveAttribute("data-state", "pending");
  await fake(page, "finishRefund", null, "completed");
  await expect(page.getByTestId("refund-progress")).toContainText("Balance open again: KES 2,000.00.");
  await page.getByTestId("refund-close").click();
  await expect(page.getByTestId("inv-payment")).toHaveCount(2);
  await expect(page.getByTestId("inv-payment").nth(1)).toContainText("Reversal");
  await expect(page.getByTestId("inv-payment").nth(1)).toContainText("−KES 2,000.00");
  await expect(page.getByTestId("inv-balance")).toHaveText("KES 2,000.00");
  await expect(page.getByTestId("inv-status")).toHaveText("Issued");
});
