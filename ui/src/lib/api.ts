// The one typed door to the Rust backend: every `invoke` and `listen` in the UI goes through
// this module, so each command's name, arguments and result type are written down once, as
// docs/ipc.md specifies. Nothing else in ui/ imports @tauri-apps/api.

import { invoke, isTauri } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type Currency = "KES" | "TZS" | "UGX" | "USD";
/** Integer minor units. Never a float; format with lib/money.ts. */
export interface Money {
  minor: number;
  currency: Currency;
}
export type Language = "en" | "sw";
export type Role = "cashier" | "manager";
export type Method =
  | "cash"
  | "mpesa_stk"
  | "mpesa_qr"
  | "mpesa_paybill"
  | "mpesa_till"
  | "card"
  | "billpay";

export interface UserView {
  name: string;
  role: Role;
  language: Language;
}

export interface AppInfo {
  version: string;
  training: boolean;
  till_id: string;
  shop_name: string;
  currency: Currency;
  language: Language;
  user: UserView | null;
  paybill: string | null;
  till_number: string | null;
}

export interface CatalogueItem {
  code: string;
  name: string;
  price: Money;
  tax_class: string;
  barcode: string | null;
}

export interface CartLine {
  line_id: number;
  code: string;
  name: string;
  qty: number;
  unit_price: Money;
  discount: Money;
  total: Money;
}

export interface VatLine {
  class: string;
  label: string;
  net: Money;
  vat: Money;
}

export interface HeldCart {
  cart_id: string;
  label: string;
  total: Money;
  held_ms: number;
}

export interface CartView {
  cart_id: string;
  lines: CartLine[];
  subtotal: Money;
  discount: Money;
  total: Money;
  vat: VatLine[];
  held: HeldCart[];
  frozen: boolean;
}

export interface Tender {
  method: Method;
  amount: Money;
  detail: string;
}

export interface SaleView {
  sale_id: number;
  number: string;
  total: Money;
  paid: Money;
  balance: Money;
  status: "open" | "paid" | "void";
  tenders: Tender[];
  customer_phone: string | null;
}

export type AttemptState =
  | "pending"
  | "confirmed"
  | "cancelled"
  | "unreachable"
  | "failed"
  | "timed_out"
  | "expired"
  | "stopped";

export interface AttemptView {
  attempt_id: number;
  sale_id: number;
  method: Method;
  state: AttemptState;
  reason: string | null;
  amount: Money;
  started_ms: number;
  deadline_ms: number;
}

export interface IncomingPayment {
  unmatched_id: number;
  method: Method;
  payer_name: string | null;
  payer_masked: string | null;
  amount: Money;
  received_ms: number;
  receipt: string | null;
}

export interface StatusView {
  relay: { online: boolean; offline_since_ms: number | null; waiting: number };
  printer: { state: "ready" | "offline" | "none"; detail: string | null };
  user: UserView | null;
  training: boolean;
}

export type PrinterKind = "none" | "network" | "device" | "file";

export interface SettingsView {
  shop: {
    name: string;
    address: string;
    kra_pin: string;
    phone: string;
    currency: Currency;
    receipt_language: Language;
  };
  daraja: {
    environment: "sandbox" | "live";
    shortcode: string;
    till_number: string;
    initiator: string;
    consumer_key_set: boolean;
    consumer_secret_set: boolean;
    passkey_set: boolean;
    initiator_password_set: boolean;
    certificate_set: boolean;
  };
  paystack: { public_key: string; secret_key_set: boolean };
  clickpesa: { client_id: string; api_key_set: boolean; checksum_key_set: boolean };
  relay: { url: string; device_token_set: boolean; callback_urls: string[] };
  options: {
    refunds_enabled: boolean;
    receipt_email: boolean;
    receipt_sms: boolean;
    printer_kind: PrinterKind;
    printer_address: string;
    printer_width: 58 | 80;
  };
  users: UserView[];
}

/** Write-only secret: `null` keeps the stored one. */
export type SecretInput = string | null;

export interface ShopInput {
  name: string;
  address: string;
  kra_pin: string;
  phone: string;
  receipt_language: Language;
}
export interface DarajaInput {
  environment: "sandbox" | "live";
  shortcode: string;
  till_number: string;
  initiator: string;
  consumer_key: SecretInput;
  consumer_secret: SecretInput;
  passkey: SecretInput;
  initiator_password: SecretInput;
  certificate_pem: SecretInput;
}
export interface PaystackInput {
  public_key: string;
  secret_key: SecretInput;
}
export interface ClickPesaInput {
  client_id: string;
  api_key: SecretInput;
  checksum_key: SecretInput;
}
export interface RelayInput {
  url: string;
  device_token: SecretInput;
}
export interface OptionsInput {
  refunds_enabled: boolean;
  receipt_email: boolean;
  receipt_sms: boolean;
  printer_kind: PrinterKind;
  printer_address: string;
  printer_width: 58 | 80;
}

export interface Answer {
  ok: boolean;
  message: string;
}

export type Provider = "daraja" | "paystack" | "clickpesa" | "relay" | "printer";

export interface CashResult {
  sale: SaleView;
  change: Money;
}
export interface QrStart {
  attempt: AttemptView;
  qr_png_base64: string;
}
export interface TillWait {
  paybill: string | null;
  till_number: string | null;
  account_reference: string;
  window_ends_ms: number;
}
export interface CardStart {
  attempt: AttemptView;
  access_code: string;
  reference: string;
  popup: "paystack" | "simulator";
  simulator_url: string | null;
}

export type TrainingAction =
  | "approve"
  | "cancel"
  | "wrong_pin"
  | "no_answer"
  | "pay_paybill"
  | "pay_till"
  | "scan_qr";

export interface TrainingCustomerArgs {
  action: TrainingAction;
  attempt_id: number | null;
  phone: string | null;
  amount_minor: number | null;
  account_reference: string | null;
}

/** The error shape of every command. */
export interface ApiError {
  code: string;
  message: string;
}

// ---- Manager views (docs/ipc.md "Manager views") ------------------------------------------

export type PayProvider = "none" | "daraja" | "paystack" | "clickpesa";
export type TxStatus = "received" | "pending" | "failed" | "refunded" | "unmatched";
export type TargetKind = "sale" | "invoice";
export interface TargetRef {
  kind: TargetKind;
  id: number;
  number: string;
}
export interface TxFilter {
  from_ms: number | null;
  to_ms: number | null;
  methods: Method[];
  providers: PayProvider[];
  statuses: TxStatus[];
  cashier: string | null;
  text: string | null;
}
export interface TxRow {
  row_id: string;
  payment_id: number | null;
  attempt_id: number | null;
  at_ms: number;
  method: Method;
  provider: PayProvider;
  status: TxStatus;
  amount: Money;
  refunded: Money;
  receipt: string | null;
  payer_name: string | null;
  payer_masked: string | null;
  target: TargetRef | null;
  cashier: string | null;
  till_id: string;
  reason: string | null;
}
export interface MethodTotal {
  method: Method;
  count: number;
  amount: Money;
}
export interface Kpis {
  received: Money;
  received_count: number;
  by_method: MethodTotal[];
  pending: Money;
  pending_count: number;
  failed: Money;
  failed_count: number;
  refunded: Money;
  refunded_count: number;
  unmatched: Money;
  unmatched_count: number;
}
/** How wide one chart column is: a clock hour (ranges of at most 48 h) or a day (longer or open ranges). */
export type ChartBucketKind = "hour" | "day";
export interface ChartBucket {
  start_ms: number; // start of the hour, or local midnight starting the day, as epoch ms
  method: Method;
  amount: Money;
}
export interface TxPage {
  rows: TxRow[];
  next: string | null;
  kpis: Kpis;
  chart: ChartBucket[];
  chart_bucket: ChartBucketKind;
}
export interface AuditLine {
  at_ms: number;
  actor: string;
  action: string;
  detail: string;
}
export interface TargetView {
  kind: TargetKind;
  id: number;
  number: string;
  total: Money;
  paid: Money;
  balance: Money;
  status: string;
}
export type RefundState = "pending" | "completed" | "failed";
export interface RefundView {
  refund_id: number;
  payment_id: number;
  method: Method;
  amount: Money;
  state: RefundState;
  reason: string | null;
  provider_ref: string | null;
  requested_ms: number;
  manager: string;
  target: TargetView | null;
}
export interface TxDetail {
  row: TxRow;
  target: TargetView | null;
  references: Array<{ label: string; value: string }>;
  raw_event: string | null;
  audit: AuditLine[];
  refunds: RefundView[];
  refundable: Money;
  partial_refund: boolean;
}
export type UnmatchedReason =
  | "unknown_reference"
  | "amount_mismatch"
  | "late_after_void"
  | "late_after_stop"
  | "ambiguous_till"
  | "overpayment"
  | "other";
export interface UnmatchedView {
  unmatched_id: number;
  payment_id: number;
  method: Method;
  provider: PayProvider;
  amount: Money;
  receipt: string | null;
  payer_name: string | null;
  payer_masked: string | null;
  account_reference: string | null;
  received_ms: number;
  reason: UnmatchedReason;
  reason_detail: string | null;
}
export interface OpenTarget {
  kind: TargetKind;
  id: number;
  number: string;
  customer: string | null;
  total: Money;
  balance: Money;
  accepts_over: boolean;
  created_ms: number;
}
export interface AttachResult {
  target: TargetView;
  remainder: Money;
}
export type InvoiceMode = "exact" | "partial" | "partial_over";
export type InvoiceStatus = "draft" | "issued" | "part_paid" | "paid" | "overpaid" | "void";
export interface InvoiceLineInput {
  description: string;
  qty: number;
  unit_price_minor: number;
}
export interface InvoiceLine {
  description: string;
  qty: number;
  unit_price: Money;
  total: Money;
}
export interface InvoiceDraftInput {
  invoice_id: number | null;
  customer_id: number | null;
  due_date: string | null;
  mode: InvoiceMode;
  lines: InvoiceLineInput[];
  note: string;
}
export interface InvoiceSummary {
  invoice_id: number;
  number: string | null;
  customer_name: string | null;
  total: Money;
  balance: Money;
  status: InvoiceStatus;
  due_date: string | null;
  issued_ms: number | null;
}
export interface InvoicePayment {
  payment_id: number;
  at_ms: number;
  method: Method;
  kind: "payment" | "reversal";
  amount: Money;
  receipt: string | null;
}
export interface CustomerView {
  customer_id: number;
  name: string;
  phone: string | null;
  email: string | null;
}
export interface CustomerSummary extends CustomerView {
  control_numbers: number;
  balance: Money;
}
export interface InvoiceView {
  invoice_id: number;
  number: string | null;
  status: InvoiceStatus;
  customer: CustomerView | null;
  due_date: string | null;
  mode: InvoiceMode;
  note: string;
  lines: InvoiceLine[];
  total: Money;
  paid: Money;
  balance: Money;
  over: Money;
  payments: InvoicePayment[];
  paybill: string | null;
  control_number: string | null;
  issued_ms: number | null;
}
export interface CardLink {
  url: string;
  qr_png_base64: string;
  reference: string;
  expires_ms: number | null;
}
export interface BillPayNumber {
  control_number: string;
  amount: Money;
  mode: InvoiceMode;
}
export interface CustomerInput {
  customer_id: number | null;
  name: string;
  phone: string | null;
  email: string | null;
}
export interface ControlNumberItem {
  description: string;
  amount_minor: number;
  mode: InvoiceMode;
}
export interface ControlNumberView {
  control_number: string;
  customer_id: number;
  description: string;
  amount: Money;
  mode: InvoiceMode;
  paid: Money;
  payments: Array<{ payment_id: number; at_ms: number; amount: Money; receipt: string | null }>;
  created_ms: number;
}
export interface CustomerDetail {
  customer: CustomerView;
  control_numbers: ControlNumberView[];
}
export interface ImportRow {
  line: number;
  name: string;
  phone: string | null;
  email: string | null;
  description: string;
  amount_minor: number;
  mode: InvoiceMode;
}
export interface ImportResult {
  created: number;
  customers_created: number;
  rows: Array<{ line: number; ok: boolean; control_number: string | null; error: ApiError | null }>;
}
export interface RefundAsk {
  payment_id: number;
  amount_minor: number;
  receipt: string;
  manager: string;
  pin: string;
}
export type ReportKind = "x" | "z";
export interface DayReport {
  kind: ReportKind;
  z_number: number | null;
  from_ms: number;
  to_ms: number;
  total: Money;
  by_method: MethodTotal[];
  by_cashier: Array<{ cashier: string; count: number; amount: Money }>;
  refunds: { count: number; amount: Money };
  pending_count: number;
  unmatched_count: number;
  unmatched: Money;
  cash_expected: Money;
  cash_counted: Money | null;
  cash_difference: Money | null;
}
export interface Saved {
  path: string;
}
export interface Exported {
  path: string;
  rows: number;
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)["code"] === "string" &&
    typeof (value as Record<string, unknown>)["message"] === "string"
  );
}

/** True when the page runs inside the Tauri shell (or under the test fake of it). */
export function inApp(): boolean {
  return isTauri();
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!inApp()) {
    const e: ApiError = { code: "not_in_app", message: "This page needs the Malipo app." };
    throw e;
  }
  try {
    return await invoke<T>(command, args);
  } catch (err: unknown) {
    if (isApiError(err)) throw err;
    const e: ApiError = { code: "ipc", message: String(err) };
    throw e;
  }
}

function int(n: number, what: string): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be an integer, got ${String(n)}`);
  return n;
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  login: (name: string, pin: string) => call<UserView>("login", { name, pin }),
  logout: () => call<null>("logout"),
  managerUnlock: (pin: string) => call<UserView>("manager_unlock", { pin }),
  managerLock: () => call<null>("manager_lock"),
  status: () => call<StatusView>("status"),

  listCatalogue: () => call<CatalogueItem[]>("list_catalogue"),
  cartGet: () => call<CartView>("cart_get"),
  cartAdd: (code: string, qty: number) => call<CartView>("cart_add", { code, qty: int(qty, "qty") }),
  cartSetQty: (line_id: number, qty: number) =>
    call<CartView>("cart_set_qty", { line_id, qty: int(qty, "qty") }),
  cartDiscount: (line_id: number | null, amount_minor: number) =>
    call<CartView>("cart_discount", { line_id, amount_minor: int(amount_minor, "amount_minor") }),
  cartHold: (label: string) => call<CartView>("cart_hold", { label }),
  cartRecall: (cart_id: string) => call<CartView>("cart_recall", { cart_id }),
  cartClear: () => call<CartView>("cart_clear"),

  checkout: () => call<SaleView>("checkout"),
  saleCurrent: () => call<SaleView | null>("sale_current"),
  saleCancel: (sale_id: number) => call<CartView>("sale_cancel", { sale_id }),
  saleNew: () => call<CartView>("sale_new"),
  payCash: (sale_id: number, amount_minor: number, tendered_minor: number) =>
    call<CashResult>("pay_cash", {
      sale_id,
      amount_minor: int(amount_minor, "amount_minor"),
      tendered_minor: int(tendered_minor, "tendered_minor"),
    }),
  stkStart: (sale_id: number, phone: string, amount_minor: number) =>
    call<AttemptView>("stk_start", { sale_id, phone, amount_minor: int(amount_minor, "amount_minor") }),
  attemptStopWaiting: (attempt_id: number) => call<AttemptView>("attempt_stop_waiting", { attempt_id }),
  attemptsPending: () => call<AttemptView[]>("attempts_pending"),
  qrStart: (sale_id: number, amount_minor: number) =>
    call<QrStart>("qr_start", { sale_id, amount_minor: int(amount_minor, "amount_minor") }),
  tillWait: (sale_id: number, amount_minor: number) =>
    call<TillWait>("till_wait", { sale_id, amount_minor: int(amount_minor, "amount_minor") }),
  cardStart: (sale_id: number, amount_minor: number, email: string | null) =>
    call<CardStart>("card_start", { sale_id, amount_minor: int(amount_minor, "amount_minor"), email }),
  cardFinish: (attempt_id: number, reference: string) =>
    call<AttemptView>("card_finish", { attempt_id, reference }),
  cardCancelled: (attempt_id: number) => call<AttemptView>("card_cancelled", { attempt_id }),
  incomingList: () => call<IncomingPayment[]>("incoming_list"),
  incomingClaim: (unmatched_id: number, sale_id: number) =>
    call<SaleView>("incoming_claim", { unmatched_id, sale_id }),
  receiptPrint: (sale_id: number) => call<null>("receipt_print", { sale_id }),

  settingsGet: () => call<SettingsView>("settings_get"),
  settingsSaveShop: (input: ShopInput) => call<SettingsView>("settings_save_shop", { input }),
  settingsSaveDaraja: (input: DarajaInput) => call<SettingsView>("settings_save_daraja", { input }),
  settingsSavePaystack: (input: PaystackInput) =>
    call<SettingsView>("settings_save_paystack", { input }),
  settingsSaveClickPesa: (input: ClickPesaInput) =>
    call<SettingsView>("settings_save_clickpesa", { input }),
  settingsSaveRelay: (input: RelayInput) => call<SettingsView>("settings_save_relay", { input }),
  settingsSaveOptions: (input: OptionsInput) =>
    call<SettingsView>("settings_save_options", { input }),
  settingsTestConnection: (provider: Provider) =>
    call<Answer>("settings_test_connection", { provider }),
  settingsRegisterC2b: () => call<Answer>("settings_register_c2b"),
  userSave: (name: string, role: Role, pin: string | null, language: Language) =>
    call<null>("user_save", { name, role, pin, language }),

  trainingCustomer: (args: TrainingCustomerArgs) =>
    call<null>("training_customer", { ...args }),

  // Manager views
  transactionsPage: (filter: TxFilter, cursor: string | null, limit: number) =>
    call<TxPage>("transactions_page", { filter, cursor, limit: int(limit, "limit") }),
  transactionsExportCsv: (filter: TxFilter) => call<Exported>("transactions_export_csv", { filter }),
  transactionDetail: (payment_id: number | null, attempt_id: number | null) =>
    call<TxDetail>("transaction_detail", { payment_id, attempt_id }),
  unmatchedList: (query: string) => call<UnmatchedView[]>("unmatched_list", { query }),
  openTargets: (query: string) => call<OpenTarget[]>("open_targets", { query }),
  unmatchedAttach: (unmatched_id: number, target: { kind: TargetKind; id: number }, pin: string) =>
    call<AttachResult>("unmatched_attach", { unmatched_id, target, pin }),
  invoicesList: (status: InvoiceStatus | null, query: string) =>
    call<InvoiceSummary[]>("invoices_list", { status, query }),
  invoiceSaveDraft: (input: InvoiceDraftInput) => {
    for (const l of input.lines) {
      int(l.qty, "qty");
      int(l.unit_price_minor, "unit_price_minor");
    }
    return call<InvoiceView>("invoice_save_draft", { input });
  },
  invoiceIssue: (invoice_id: number) => call<InvoiceView>("invoice_issue", { invoice_id }),
  invoiceVoid: (invoice_id: number, pin: string) => call<InvoiceView>("invoice_void", { invoice_id, pin }),
  invoiceDetail: (invoice_id: number) => call<InvoiceView>("invoice_detail", { invoice_id }),
  invoiceCardLink: (invoice_id: number, amount_minor: number, email: string | null) =>
    call<CardLink>("invoice_card_link", { invoice_id, amount_minor: int(amount_minor, "amount_minor"), email }),
  invoiceBillpay: (invoice_id: number) => call<BillPayNumber>("invoice_billpay", { invoice_id }),
  invoicePdf: (invoice_id: number) => call<Saved>("invoice_pdf", { invoice_id }),
  customersList: (query: string) => call<CustomerSummary[]>("customers_list", { query }),
  customerDetail: (customer_id: number) => call<CustomerDetail>("customer_detail", { customer_id }),
  customerSave: (input: CustomerInput) => call<CustomerView>("customer_save", { input }),
  controlNumbersCreate: (customer_id: number, items: ControlNumberItem[]) => {
    for (const i of items) int(i.amount_minor, "amount_minor");
    return call<ControlNumberView[]>("control_numbers_create", { customer_id, items });
  },
  controlNumbersImport: (rows: ImportRow[]) => {
    for (const r of rows) int(r.amount_minor, "amount_minor");
    return call<ImportResult>("control_numbers_import", { rows });
  },
  refundsEnabled: () => call<boolean>("refunds_enabled"),
  refundRequest: (ask: RefundAsk) =>
    call<RefundView>("refund_request", { ...ask, amount_minor: int(ask.amount_minor, "amount_minor") }),
  reportX: () => call<DayReport>("report_x"),
  reportZ: (counted_cash_minor: number, pin: string) =>
    call<DayReport>("report_z", { counted_cash_minor: int(counted_cash_minor, "counted_cash_minor"), pin }),
  reportPrint: (kind: ReportKind, z_number: number | null) => call<null>("report_print", { kind, z_number }),
  reportPdf: (kind: ReportKind, z_number: number | null) => call<Saved>("report_pdf", { kind, z_number }),
};

export interface Events {
  "attempt-changed": AttemptView;
  "sale-changed": SaleView;
  "incoming-changed": IncomingPayment[];
  "status-changed": StatusView;
  "cart-changed": CartView;
  "refund-changed": RefundView;
  "invoice-changed": InvoiceView;
  "transactions-changed": null;
}

/** Subscribes to a backend event; resolves to the function that unsubscribes. */
export async function on<K extends keyof Events>(
  event: K,
  handler: (payload: Events[K]) => void,
): Promise<UnlistenFn> {
  if (!inApp()) return () => {};
  return listen<Events[K]>(event, (e) => handler(e.payload));
}
