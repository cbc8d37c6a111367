// A fake Malipo backend living in the page, installed before the app's scripts (Playwright
// addInitScript). It stands in for Tauri at the invoke/listen boundary exactly as
// @tauri-apps/api talks to it (window.__TAURI_INTERNALS__), follows docs/ipc.md, records every
// command with its arguments, and lets a test play the customer or the provider through
// window.__fake (confirm an STK push, cancel it, let a late payment arrive, …).
(() => {
  const cfg = Object.assign({ user: "Aisha", stkSeconds: 60, autoTimeout: false, refunds: false }, window.__FAKE_CONFIG__ || {});
  const CUR = "KES";
  const m = (minor) => ({ minor, currency: CUR });
  const QR_PNG = "iVBORw0KGgoAAAANSUhEUgAAABUAAAAVCAAAAACMfPpKAAAAH0lEQVR4nGNgYGD4//8/GslAiiimEIgkRXTUDVRyAwAyRNcpG6VgYwAAAABJRU5ErkJggg==";
  const users = {
    Aisha: { name: "Aisha", role: "cashier", language: "en", pin: "1234" },
    Baraka: { name: "Baraka", role: "cashier", language: "sw", pin: "4321" },
    Mama: { name: "Mama", role: "manager", language: "en", pin: "9999" },
  };
  const catalogue = [
    ["SUG2", "Sugar 2kg", 25000, "standard", "6001234500017"],
    ["BRD4", "Bread 400g", 6500, "standard", "6001234500024"],
    ["MLK5", "Milk 500ml", 6000, "zero_rated", "6001234500031"],
    ["RICE", "Rice 1kg", 18000, "standard", "6001234500048"],
    ["OIL1", "Cooking oil 1L", 35000, "standard", "6001234500055"],
    ["SOAP", "Bar soap", 12000, "standard", "6001234500062"],
    ["TEA2", "Tea leaves 250g", 9500, "standard", "6001234500079"],
    ["EGGS", "Eggs tray", 45000, "exempt", "6001234500086"],
  ].map(([code, name, minor, tax_class, barcode]) => ({ code, name, price: m(minor), tax_class, barcode }));

  const s = {
    user: cfg.user ? users[cfg.user] : null,
    managerUnlocked: false,
    cart: { cart_id: "c1", lines: [], cartDiscount: 0 },
    held: [],
    nextCart: 2,
    nextLine: 1,
    sale: null,
    nextSale: 1,
    attempts: new Map(),
    nextAttempt: 1,
    incoming: [],
    nextIncoming: 1,
    calls: [],
    settings: {
      shop: { name: "Duka la Mama", address: "Moi Avenue, Nairobi", kra_pin: "P051234567X", phone: "0712345678", currency: CUR, receipt_language: "en" },
      daraja: { environment: "sandbox", shortcode: "174379", till_number: "5123456", initiator: "testapi", consumer_key_set: true, consumer_secret_set: true, passkey_set: true, initiator_password_set: false, certificate_set: false },
      paystack: { public_key: "pk_test_abc", secret_key_set: false },
      clickpesa: { client_id: "", api_key_set: false, checksum_key_set: false },
      relay: { url: "https://relay.example", device_token_set: true, callback_urls: ["https://relay.example/h/abc/stk"] },
      options: { refunds_enabled: !!cfg.refunds, receipt_email: false, receipt_sms: true, printer_kind: "none", printer_address: "", printer_width: 58 },
      users: Object.values(users).map(({ name, role, language }) => ({ name, role, language })),
    },
    storedSecrets: {},
  };

  // --- Tauri internals -------------------------------------------------------------------
  const callbacks = new Map();
  const listeners = new Map();
  let nextCb = 1;
  let nextListener = 1;
  function emit(event, payload) {
    for (const [id, l] of listeners) {
      if (l.event !== event) continue;
      const cb = callbacks.get(l.handler);
      if (cb) cb({ event, id, payload: JSON.parse(JSON.stringify(payload)) });
    }
  }
  const fail = (code, message) => Promise.reject({ code, message: message || code });

  // --- domain ------------------------------------------------------------------------------
  const vatRate = { standard: [16, "VAT 16%"], zero_rated: [0, "VAT 0%"], exempt: [0, "Exempt"] };
  function cartView() {
    const c = s.cart;
    const lines = c.lines.map((l) => ({
      line_id: l.line_id, code: l.code, name: l.name, qty: l.qty,
      unit_price: m(l.unit), discount: m(l.discount), total: m(l.qty * l.unit - l.discount),
    }));
    const subtotal = c.lines.reduce((a, l) => a + l.qty * l.unit, 0);
    const lineDisc = c.lines.reduce((a, l) => a + l.discount, 0);
    const total = subtotal - lineDisc - c.cartDiscount;
    const byClass = new Map();
    for (const l of c.lines) byClass.set(l.tax_class, (byClass.get(l.tax_class) || 0) + l.qty * l.unit - l.discount);
    const vat = [];
    for (const [cls, gross] of byClass) {
      const [rate, label] = vatRate[cls];
      const v = rate === 0 ? 0 : Math.floor((gross * rate * 2 + (100 + rate)) / ((100 + rate) * 2));
      vat.push({ class: cls, label, net: m(gross - v), vat: m(v) });
    }
    return {
      cart_id: c.cart_id, lines, subtotal: m(subtotal), discount: m(lineDisc + c.cartDiscount), total: m(total), vat,
      held: s.held.map((h) => ({ cart_id: h.cart.cart_id, label: h.label, total: m(h.total), held_ms: h.held_ms })),
      frozen: s.sale !== null && s.sale.status === "open",
    };
  }
  function saleView() {
    const x = s.sale;
    const paid = x.tenders.reduce((a, t) => a + t.amount.minor, 0);
    return { sale_id: x.sale_id, number: x.number, total: m(x.total), paid: m(paid), balance: m(Math.max(0, x.total - paid)),
      status: x.status, tenders: x.tenders, customer_phone: x.customer_phone };
  }
  function balance() { return saleView().balance.minor; }
  function addTender(method, minor, detail) {
    s.sale.tenders.push({ method, amount: m(minor), detail });
    if (balance() === 0) s.sale.status = "paid";
  }
  function checkSale(id) { return s.sale !== null && s.sale.sale_id === id && s.sale.status === "open"; }
  function normPhone(p) {
    const d = String(p).replace(/[ \-().]/g, "").replace(/^\+/, "");
    let n = d.startsWith("254") ? d.slice(3) : d.startsWith("0") ? d.slice(1) : d;
    return /^[71]\d{8}$/.test(n) ? "254" + n : null;
  }
  const masked = (n) => "0" + n.slice(3, 6) + "***" + n.slice(9);
  function frozen() { return s.sale !== null && s.sale.status === "open"; }
  function newAttempt(method, minor, extra) {
    const now = Date.now();
    const a = { attempt_id: s.nextAttempt++, sale_id: s.sale.sale_id, method, state: "pending", reason: null,
      amount: m(minor), started_ms: now, deadline_ms: now + cfg.stkSeconds * 1000, ...extra };
    s.attempts.set(a.attempt_id, a);
    if (cfg.autoTimeout) setTimeout(() => { if (a.state === "pending") resolve(a.attempt_id, "timed_out"); }, cfg.stkSeconds * 1000);
    // Demo mode (npm run dev, ?demo): the customer pays by themselves after a few seconds.
    if (cfg.autoConfirmMs && method !== "card") setTimeout(() => { if (a.state === "pending") resolve(a.attempt_id, "confirmed"); }, cfg.autoConfirmMs);
    return a;
  }
  function attemptView(a) {
    const { phone, ...v } = a;
    return v;
  }
  function resolve(id, state, reason) {
    const a = s.attempts.get(id ?? [...s.attempts.keys()].pop());
    if (!a) throw new Error("no attempt " + id);
    a.state = state;
    a.reason = reason ?? null;
    emit("attempt-changed", attemptView(a));
    if (state === "confirmed") {
      const detail = a.method === "card" ? "VISA ****4081" : "Receipt TKP5ZZ81AB " + (a.phone ? masked(a.phone) : "");
      addTender(a.method, a.amount.minor, detail);
      emit("sale-changed", saleView());
    }
    return attemptView(a);
  }
  function addIncoming(p) {
    const x = { unmatched_id: s.nextIncoming++, method: p.method || "mpesa_paybill", payer_name: p.payer_name ?? "JOHN KAMAU",
      payer_masked: p.payer_masked ?? "0712***678", amount: m(p.minor), received_ms: Date.now(), receipt: p.receipt ?? "TKQ" + (100 + s.nextIncoming) + "XYZ" };
    s.incoming.unshift(x);
    emit("incoming-changed", s.incoming);
    return x;
  }

  function demoCheckout(code, reference) {
    return "<!doctype html><body style='font-family:sans-serif'><h1>Card (demo)</h1>" +
      "<script>function tell(m){parent.postMessage(Object.assign({source:'malipo-sim-paystack',accessCode:'" + code + "'},m),'*')}</" + "script>" +
      "<button style='font-size:1.4rem' onclick=\"tell({type:'success',reference:'" + reference + "'})\">Pay</button> " +
      "<button style='font-size:1.4rem' onclick=\"tell({type:'cancel'})\">Cancel</button></body>";
  }

  const handlers = {
    app_info: () => ({ version: "0.1.0", training: true, till_id: "T1", shop_name: "Duka la Mama", currency: CUR, language: "en",
      user: s.user ? { name: s.user.name, role: s.user.role, language: s.user.language } : null, paybill: "522522", till_number: "5123456" }),
    status: () => ({ relay: { online: true, offline_since_ms: null, waiting: 0 }, printer: { state: "ready", detail: "58 mm" },
      user: s.user ? { name: s.user.name, role: s.user.role, language: s.user.language } : null, training: true }),
    login: ({ name, pin }) => {
      const u = users[name];
      if (!u || u.pin !== pin) return fail("wrong_pin", "Wrong name or PIN.");
      s.user = u;
      return { name: u.name, role: u.role, language: u.language };
    },
    logout: () => { s.user = null; s.managerUnlocked = false; return null; },
    manager_unlock: ({ pin }) => {
      const u = Object.values(users).find((x) => x.pin === pin);
      if (!u) return fail("wrong_pin");
      if (u.role !== "manager") return fail("not_permitted");
      s.managerUnlocked = true;
      return { name: u.name, role: u.role, language: u.language };
    },
    manager_lock: () => { s.managerUnlocked = false; return null; },
    list_catalogue: () => catalogue,
    cart_get: () => cartView(),
    cart_add: ({ code, qty }) => {
      if (frozen()) return fail("sale_open");
      const item = catalogue.find((i) => i.code === code || i.barcode === code);
      if (!item) return fail("unknown_item", "No item " + code);
      const line = s.cart.lines.find((l) => l.code === item.code);
      if (line) line.qty += qty;
      else s.cart.lines.push({ line_id: s.nextLine++, code: item.code, name: item.name, qty, unit: item.price.minor, discount: 0, tax_class: item.tax_class });
      return cartView();
    },
    cart_set_qty: ({ line_id, qty }) => {
      if (frozen()) return fail("sale_open");
      if (qty <= 0) s.cart.lines = s.cart.lines.filter((l) => l.line_id !== line_id);
      else { const l = s.cart.lines.find((x) => x.line_id === line_id); if (l) l.qty = qty; }
      return cartView();
    },
    cart_discount: ({ line_id, amount_minor }) => {
      if (frozen()) return fail("sale_open");
      if (line_id === null) { s.cart.cartDiscount = amount_minor; return cartView(); }
      const l = s.cart.lines.find((x) => x.line_id === line_id);
      if (!l || amount_minor > l.qty * l.unit) return fail("invalid_amount");
      l.discount = amount_minor;
      return cartView();
    },
    cart_hold: ({ label }) => {
      if (frozen()) return fail("sale_open");
      s.held.push({ cart: s.cart, label, total: cartView().total.minor, held_ms: Date.now() });
      s.cart = { cart_id: "c" + s.nextCart++, lines: [], cartDiscount: 0 };
      return cartView();
    },
    cart_recall: ({ cart_id }) => {
      if (frozen()) return fail("sale_open");
      const i = s.held.findIndex((h) => h.cart.cart_id === cart_id);
      if (i < 0) return fail("unknown_cart");
      const [h] = s.held.splice(i, 1);
      if (s.cart.lines.length > 0) s.held.push({ cart: s.cart, label: "held", total: cartView().total.minor, held_ms: Date.now() });
      s.cart = h.cart;
      return cartView();
    },
    cart_clear: () => { if (frozen()) return fail("sale_open"); s.cart.lines = []; s.cart.cartDiscount = 0; return cartView(); },
    checkout: () => {
      if (s.sale && s.sale.status === "open") return saleView();
      const total = cartView().total.minor;
      if (total <= 0) return fail("invalid_amount", "The cart is empty.");
      const n = s.nextSale++;
      s.sale = { sale_id: n, number: "T1-" + String(n).padStart(6, "0"), total, status: "open", tenders: [], customer_phone: cfg.customerPhone ?? null };
      return saleView();
    },
    sale_current: () => (s.sale && s.sale.status !== "void" ? saleView() : null),
    sale_cancel: ({ sale_id }) => {
      if (!checkSale(sale_id)) return fail("invalid_amount");
      if (s.sale.tenders.length > 0 || [...s.attempts.values()].some((a) => a.state === "pending" && a.sale_id === sale_id)) return fail("sale_has_payments");
      s.sale.status = "void";
      s.sale = null;
      return cartView();
    },
    sale_new: () => {
      s.sale = null;
      s.cart = { cart_id: "c" + s.nextCart++, lines: [], cartDiscount: 0 };
      return cartView();
    },
    pay_cash: ({ sale_id, amount_minor, tendered_minor }) => {
      if (!checkSale(sale_id)) return fail("invalid_amount");
      if (!Number.isInteger(amount_minor) || amount_minor <= 0 || amount_minor > balance() || tendered_minor < amount_minor) return fail("invalid_amount");
      const change = tendered_minor - amount_minor;
      addTender("cash", amount_minor, "Cash tendered, change given");
      const sale = saleView();
      emit("sale-changed", sale);
      return { sale, change: m(change) };
    },
    stk_start: ({ sale_id, phone, amount_minor }) => {
      if (!checkSale(sale_id)) return fail("invalid_amount");
      const p = normPhone(phone);
      if (!p) return fail("invalid_phone");
      if (amount_minor <= 0 || amount_minor > balance() || amount_minor % 100 !== 0) return fail("invalid_amount");
      if (cfg.stkUnavailable) return fail("provider_unavailable", "Daraja timed out");
      const a = newAttempt("mpesa_stk", amount_minor, { phone: p });
      emit("attempt-changed", attemptView(a));
      return attemptView(a);
    },
    attempt_stop_waiting: ({ attempt_id }) => {
      const a = s.attempts.get(attempt_id);
      a.state = "stopped";
      emit("attempt-changed", attemptView(a));
      return attemptView(a);
    },
    attempts_pending: () => [...s.attempts.values()].filter((a) => a.state === "pending").reverse().map(attemptView),
    qr_start: ({ sale_id, amount_minor }) => {
      if (!checkSale(sale_id)) return fail("invalid_amount");
      if (amount_minor <= 0 || amount_minor > balance()) return fail("invalid_amount");
      const a = newAttempt("mpesa_qr", amount_minor, {});
      emit("attempt-changed", attemptView(a));
      return { attempt: attemptView(a), qr_png_base64: QR_PNG };
    },
    till_wait: ({ sale_id }) => {
      if (!checkSale(sale_id)) return fail("invalid_amount");
      if (cfg.autoConfirmMs) setTimeout(() => addIncoming({ minor: balance(), method: "mpesa_paybill" }), cfg.autoConfirmMs);
      return { paybill: "522522", till_number: "5123456", account_reference: s.sale.number, window_ends_ms: Date.now() + 600000 };
    },
    card_start: ({ sale_id, amount_minor }) => {
      if (!checkSale(sale_id)) return fail("invalid_amount");
      const a = newAttempt("card", amount_minor, {});
      const reference = "MLP-" + a.attempt_id;
      const code = "ac_" + a.attempt_id;
      const url = cfg.demo ? "data:text/html," + encodeURIComponent(demoCheckout(code, reference)) : "http://sim.test/checkout/" + code + "?embed=1";
      return { attempt: attemptView(a), access_code: code, reference, popup: "simulator", simulator_url: url };
    },
    card_finish: ({ attempt_id }) => resolve(attempt_id, "confirmed"),
    card_cancelled: ({ attempt_id }) => resolve(attempt_id, "cancelled"),
    incoming_list: () => s.incoming,
    incoming_claim: ({ unmatched_id, sale_id }) => {
      if (!checkSale(sale_id)) return fail("invalid_amount");
      const i = s.incoming.findIndex((x) => x.unmatched_id === unmatched_id);
      if (i < 0) return fail("invalid_amount");
      const [p] = s.incoming.splice(i, 1);
      addTender(p.method, Math.min(p.amount.minor, balance()), "Receipt " + p.receipt + " " + p.payer_masked);
      emit("incoming-changed", s.incoming);
      const sale = saleView();
      emit("sale-changed", sale);
      return sale;
    },
    receipt_print: () => null,
    settings_get: () => (s.user && (s.user.role === "manager" || s.managerUnlocked) ? s.settings : fail("not_permitted")),
    settings_save_shop: ({ input }) => { Object.assign(s.settings.shop, input); return s.settings; },
    settings_save_daraja: ({ input }) => {
      const d = s.settings.daraja;
      for (const k of ["environment", "shortcode", "till_number", "initiator"]) d[k] = input[k];
      for (const k of ["consumer_key", "consumer_secret", "passkey", "initiator_password"]) if (input[k] != null) { s.storedSecrets[k] = input[k]; d[k + "_set"] = true; }
      if (input.certificate_pem != null) { s.storedSecrets.certificate_pem = input.certificate_pem; d.certificate_set = true; }
      return s.settings;
    },
    settings_save_paystack: ({ input }) => { s.settings.paystack.public_key = input.public_key; if (input.secret_key != null) { s.storedSecrets.paystack = input.secret_key; s.settings.paystack.secret_key_set = true; } return s.settings; },
    settings_save_clickpesa: ({ input }) => { s.settings.clickpesa.client_id = input.client_id; return s.settings; },
    settings_save_relay: ({ input }) => { s.settings.relay.url = input.url; return s.settings; },
    settings_save_options: ({ input }) => { Object.assign(s.settings.options, input); return s.settings; },
    settings_test_connection: ({ provider }) => ({ ok: true, message: "Connected to " + provider + " (sandbox)." }),
    settings_register_c2b: () => ({ ok: true, message: "Registered https://relay.example/h/abc/c2b-confirm" }),
    user_save: () => null,
    training_customer: ({ action, attempt_id, amount_minor, account_reference, phone }) => {
      const map = { approve: "confirmed", cancel: "cancelled", wrong_pin: "failed", no_answer: "timed_out", scan_qr: "confirmed" };
      if (map[action]) { resolve(attempt_id, map[action], action === "wrong_pin" ? "The customer entered a wrong M-Pesa PIN." : null); return null; }
      addIncoming({ minor: amount_minor, method: action === "pay_till" ? "mpesa_till" : "mpesa_paybill", payer_masked: masked(normPhone(phone) || "254712345678") });
      return null;
    },
  };

  // --- manager views (docs/ipc.md "Manager views") ---------------------------------------------
  const MGR_PINS = Object.values(users).filter((u) => u.role === "manager").map((u) => u.pin);
  const checkPin = (pin) => MGR_PINS.includes(pin);
  const isManager = () => s.user && (s.user.role === "manager" || s.managerUnlocked);
  const dayStart = (() => { const d = new Date(); d.setHours(0, 0, 0, 0); return d.getTime(); })();
  const HOUR = 3600000;
  const pad = (n, w) => String(n).padStart(w || 6, "0");
  const METHOD_ORDER = ["cash", "mpesa_stk", "mpesa_qr", "mpesa_paybill", "mpesa_till", "card", "billpay"];
  const providerOf = (method) => (method === "cash" ? "none" : method === "card" ? "paystack" : method === "billpay" ? "clickpesa" : "daraja");
  const mg = {
    rows: [], sales: new Map(), refunds: [], nextRefund: 1, unmatched: [], nextUnmatched: 1, invoices: new Map(), nextInvoice: 1,
    nextInvoiceNumber: 1, customers: new Map(), nextCustomer: 1, controlNumbers: [], nextControl: 1, zCount: 0, lastZ: dayStart, exports: [],
  };
  // 55 payments across the day, then a failed, a pending and an unmatched one.
  const cycle = ["cash", "mpesa_stk", "mpesa_stk", "card", "mpesa_paybill"];
  for (let i = 0; i < 55; i++) {
    const method = cycle[i % cycle.length];
    const minor = 10000 + i * 500;
    const number = "T1-" + pad(100 + i);
    const receipt = method === "cash" ? null : method === "card" ? "MLP-" + (100 + i) : i === 1 ? "TKP5ZZ81AB" : "TK" + pad(i, 4) + "XYZ" + (method === "mpesa_paybill" ? "P" : "S");
    const sale = { kind: "sale", id: 100 + i, number, total: minor, paid: minor, status: "paid" };
    mg.sales.set(sale.id, sale);
    mg.rows.push({
      row_id: "p" + (i + 1), payment_id: i + 1, attempt_id: method === "mpesa_stk" || method === "card" ? 1000 + i : null,
      at_ms: dayStart + (8 + (i % 10)) * HOUR + i * 60000, method, provider: providerOf(method), status: "received",
      amount: m(minor), refunded: m(0), receipt,
      payer_name: method === "cash" ? null : i === 1 ? "JOHN KAMAU" : "CUSTOMER " + i, payer_masked: method === "cash" || method === "card" ? null : "0712***678",
      phone: method === "cash" || method === "card" ? null : i === 1 ? "254712345678" : "2547000000" + pad(i, 2),
      target: { kind: "sale", id: sale.id, number }, cashier: method === "mpesa_paybill" ? null : i % 2 === 0 ? "Aisha" : "Baraka", till_id: "T1", reason: null,
    });
  }
  mg.rows.push({ row_id: "a2001", payment_id: null, attempt_id: 2001, at_ms: dayStart + 11 * HOUR + 5 * 60000, method: "mpesa_stk", provider: "daraja", status: "failed",
    amount: m(45000), refunded: m(0), receipt: null, payer_name: null, payer_masked: "0722***111", phone: "254722000111", target: { kind: "sale", id: 100, number: "T1-000100" },
    cashier: "Aisha", till_id: "T1", reason: "The customer entered a wrong M-Pesa PIN." });
  mg.rows.push({ row_id: "a2002", payment_id: null, attempt_id: 2002, at_ms: dayStart + 12 * HOUR, method: "mpesa_stk", provider: "daraja", status: "pending",
    amount: m(60000), refunded: m(0), receipt: null, payer_name: null, payer_masked: "0733***222", phone: "254733000222", target: { kind: "sale", id: 42, number: "T1-000042" },
    cashier: "Baraka", till_id: "T1", reason: null });
  mg.sales.set(42, { kind: "sale", id: 42, number: "T1-000042", total: 60000, paid: 0, status: "open" });
  function addUnmatched(u) {
    const id = mg.nextUnmatched++;
    const x = { unmatched_id: id, payment_id: 500 + id, method: "mpesa_paybill", provider: "daraja", receipt: "TU" + pad(id, 4) + "ABC", payer_name: "MARY WANJIKU",
      payer_masked: "0799***555", account_reference: null, received_ms: Date.now() - id * 60000, reason: "unknown_reference", reason_detail: null, ...u, amount: m(u.minor) };
    delete x.minor;
    mg.unmatched.unshift(x);
    return x;
  }
  addUnmatched({ minor: 25000, method: "mpesa_stk", reason: "late_after_void", receipt: "TLATE0001", payer_name: "PETER OTIENO", reason_detail: "Sale T1-000099 was voided at 10:02" });
  addUnmatched({ minor: 100000, account_reference: "INV-999", receipt: "TUNKNOWN1", reason_detail: "Account INV-999 does not exist" });
  mg.rows.push({ row_id: "p900", payment_id: 900, attempt_id: null, at_ms: dayStart + 13 * HOUR, method: "mpesa_paybill", provider: "daraja", status: "unmatched",
    amount: m(100000), refunded: m(0), receipt: "TUNKNOWN1", payer_name: "MARY WANJIKU", payer_masked: "0799***555", phone: "254799000555", target: null, cashier: null, till_id: "T1", reason: null });
  for (const c of [["Wanjiru Njeri", "0712 345 678", "wanjiru@example.com"], ["Otieno Odhiambo", "0722 000 111", null]]) {
    const id = mg.nextCustomer++;
    mg.customers.set(id, { customer_id: id, name: c[0], phone: c[1], email: c[2] });
  }

  const publicRow = (r) => { const { phone, ...v } = r; return JSON.parse(JSON.stringify(v)); };
  const digits = (x) => String(x || "").replace(/\D/g, "");
  const normDigits = (q) => { const d = digits(q); return d.startsWith("0") ? "254" + d.slice(1) : d; };
  function textMatch(r, q) {
    if (!q) return true;
    const Q = q.toUpperCase();
    if (r.receipt && r.receipt.toUpperCase().startsWith(Q)) return true;
    if (r.target && r.target.number.toUpperCase().startsWith(Q)) return true;
    if (r.payer_name && r.payer_name.toUpperCase().includes(Q)) return true;
    const d = normDigits(q);
    return d.length >= 4 && r.phone != null && r.phone.includes(d);
  }
  function filtered(f) {
    return mg.rows.filter((r) =>
      (f.from_ms == null || r.at_ms >= f.from_ms) && (f.to_ms == null || r.at_ms < f.to_ms) &&
      (f.methods.length === 0 || f.methods.includes(r.method)) && (f.providers.length === 0 || f.providers.includes(r.provider)) &&
      (f.statuses.length === 0 || f.statuses.includes(r.status)) && (f.cashier == null || r.cashier === f.cashier) && textMatch(r, f.text),
    ).sort((a, b) => b.at_ms - a.at_ms || (b.row_id < a.row_id ? -1 : 1));
  }
  function kpisOf(rows) {
    const sum = (xs) => xs.reduce((a, r) => a + r.amount.minor, 0);
    const rec = rows.filter((r) => r.status === "received" || r.status === "refunded");
    const by = METHOD_ORDER.map((method) => { const xs = rec.filter((r) => r.method === method); return { method, count: xs.length, amount: m(sum(xs)) }; }).filter((x) => x.count > 0);
    const pend = rows.filter((r) => r.status === "pending");
    const failed = rows.filter((r) => r.status === "failed");
    const refd = rows.filter((r) => r.refunded.minor > 0);
    const un = rows.filter((r) => r.status === "unmatched");
    return { received: m(sum(rec)), received_count: rec.length, by_method: by, pending: m(sum(pend)), pending_count: pend.length, failed: m(sum(failed)),
      failed_count: failed.length, refunded: m(refd.reduce((a, r) => a + r.refunded.minor, 0)), refunded_count: refd.length, unmatched: m(sum(un)), unmatched_count: un.length };
  }
  // docs/ipc.md ChartBucketKind: hours for a range of at most 48 h, days otherwise (or with no dates).
  const chartBucketOf = (f) => (f.from_ms != null && f.to_ms != null && f.to_ms - f.from_ms <= 48 * HOUR ? "hour" : "day");
  function bucketStart(ms, bucket) {
    const d = new Date(ms);
    if (bucket === "day") d.setHours(0, 0, 0, 0); else d.setMinutes(0, 0, 0);
    return d.getTime();
  }
  function chartOf(rows, bucket) {
    const map = new Map();
    for (const r of rows) {
      if (r.status !== "received" && r.status !== "refunded") continue;
      const k = bucketStart(r.at_ms, bucket) + "|" + r.method;
      map.set(k, (map.get(k) || 0) + r.amount.minor);
    }
    return [...map.entries()].map(([k, v]) => ({ start_ms: Number(k.split("|")[0]), method: k.split("|")[1], amount: m(v) })).sort((a, b) => a.start_ms - b.start_ms);
  }
  /** A received payment at any time (tests of the chart over several days). */
  function addPayment({ at_ms, minor, method }) {
    const id = 3000 + mg.rows.length;
    const row = { row_id: "p" + id, payment_id: id, attempt_id: null, at_ms, method: method || "cash", provider: providerOf(method || "cash"), status: "received",
      amount: m(minor), refunded: m(0), receipt: null, payer_name: null, payer_masked: null, phone: null, target: null, cashier: "Aisha", till_id: "T1", reason: null };
    mg.rows.push(row);
    return publicRow(row);
  }
  function targetView(t) {
    if (t.kind === "sale") {
      const x = mg.sales.get(t.id);
      return { kind: "sale", id: x.id, number: x.number, total: m(x.total), paid: m(x.paid), balance: m(Math.max(0, x.total - x.paid)), status: x.status };
    }
    const v = invoiceView(mg.invoices.get(t.id));
    return { kind: "invoice", id: v.invoice_id, number: v.number, total: v.total, paid: v.paid, balance: v.balance, status: v.status };
  }
  function refundView(r) {
    const row = mg.rows.find((x) => x.payment_id === r.payment_id);
    return { refund_id: r.refund_id, payment_id: r.payment_id, method: row.method, amount: m(r.minor), state: r.state, reason: r.reason, provider_ref: r.provider_ref,
      requested_ms: r.requested_ms, manager: r.manager, target: row.target ? targetView(row.target) : null };
  }
  function refundable(row) {
    const used = mg.refunds.filter((r) => r.payment_id === row.payment_id && r.state !== "failed").reduce((a, r) => a + r.minor, 0);
    return row.payment_id == null || row.status === "unmatched" ? 0 : row.amount.minor - used;
  }
  function detailOf(row) {
    const isMpesa = row.method.startsWith("mpesa");
    const refs = [];
    if (row.receipt) refs.push({ label: row.method === "card" ? "Paystack reference" : "M-Pesa receipt", value: row.receipt });
    if (row.attempt_id) refs.push({ label: row.method === "card" ? "Access code" : "CheckoutRequestID", value: (row.method === "card" ? "ac_" : "ws_CO_") + row.attempt_id });
    const raw = row.receipt === null ? null : JSON.stringify(isMpesa
      ? { Body: { stkCallback: { ResultCode: 0, ResultDesc: "The service request is processed successfully.", CallbackMetadata: { Item: [{ Name: "Amount", Value: row.amount.minor / 100 }, { Name: "MpesaReceiptNumber", Value: row.receipt }, { Name: "PhoneNumber", Value: row.phone }] } } } }
      : { event: "charge.success", data: { reference: row.receipt, amount: row.amount.minor, authorization: { brand: "visa", last4: "4081" } } }, null, 2);
    const audit = [{ at_ms: row.at_ms, actor: row.cashier || "system", action: row.status === "failed" ? "attempt_failed" : "posted", detail: "Payment " + row.row_id + " " + row.status }];
    if (row.target && row.status !== "failed" && row.status !== "pending") audit.push({ at_ms: row.at_ms, actor: "system", action: "allocated", detail: "Allocated to " + row.target.number });
    const refunds = mg.refunds.filter((r) => r.payment_id === row.payment_id);
    for (const r of refunds) audit.push({ at_ms: r.requested_ms, actor: r.manager, action: "refund_" + (r.state === "pending" ? "requested" : r.state), detail: "Refund " + r.minor });
    return { row: publicRow(row), target: row.target ? targetView(row.target) : null, references: refs, raw_event: raw, audit, refunds: refunds.map(refundView),
      refundable: m(refundable(row)), partial_refund: row.method === "card" };
  }
  function finishRefund(refund_id, state, reason) {
    const r = mg.refunds.find((x) => x.refund_id === (refund_id ?? mg.nextRefund - 1));
    r.state = state;
    r.reason = reason ?? null;
    const row = mg.rows.find((x) => x.payment_id === r.payment_id);
    if (state === "completed") {
      r.provider_ref = "RF" + r.refund_id;
      row.refunded = m(row.refunded.minor + r.minor);
      row.status = "refunded";
      if (row.target && row.target.kind === "sale") { const sale = mg.sales.get(row.target.id); sale.paid -= r.minor; sale.status = "open"; }
      if (row.target && row.target.kind === "invoice") { const inv = mg.invoices.get(row.target.id); inv.payments.push({ payment_id: row.payment_id, at_ms: Date.now(), method: row.method, kind: "reversal", amount: m(r.minor), receipt: r.provider_ref }); emit("invoice-changed", invoiceView(inv)); }
    }
    emit("refund-changed", refundView(r));
    emit("transactions-changed", null);
    return refundView(r);
  }
  function invoiceView(x) {
    const total = x.lines.reduce((a, l) => a + l.qty * l.unit_price_minor, 0);
    const paid = x.payments.reduce((a, p) => a + (p.kind === "reversal" ? -p.amount.minor : p.amount.minor), 0);
    let status = x.status;
    if (status !== "draft" && status !== "void") status = paid <= 0 ? "issued" : paid < total ? "part_paid" : paid === total ? "paid" : "overpaid";
    return { invoice_id: x.invoice_id, number: x.number, status, customer: x.customer_id ? mg.customers.get(x.customer_id) : null, due_date: x.due_date, mode: x.mode, note: x.note,
      lines: x.lines.map((l) => ({ description: l.description, qty: l.qty, unit_price: m(l.unit_price_minor), total: m(l.qty * l.unit_price_minor) })),
      total: m(total), paid: m(paid), balance: m(Math.max(0, total - paid)), over: m(Math.max(0, paid - total)), payments: x.payments, paybill: "522522",
      control_number: x.control_number, issued_ms: x.issued_ms };
  }
  function payInvoice(number, minor, receipt) {
    const x = [...mg.invoices.values()].find((i) => i.number === number);
    const pid = 700 + x.payments.length + x.invoice_id * 10;
    x.payments.push({ payment_id: pid, at_ms: Date.now(), method: "mpesa_paybill", kind: "payment", amount: m(minor), receipt: receipt || "TPB" + pid });
    mg.rows.push({ row_id: "p" + pid, payment_id: pid, attempt_id: null, at_ms: Date.now(), method: "mpesa_paybill", provider: "daraja", status: "received", amount: m(minor),
      refunded: m(0), receipt: receipt || "TPB" + pid, payer_name: "WANJIRU NJERI", payer_masked: "0712***678", phone: "254712345678",
      target: { kind: "invoice", id: x.invoice_id, number }, cashier: null, till_id: "T1", reason: null });
    const v = invoiceView(x);
    emit("invoice-changed", v);
    emit("transactions-changed", null);
    return v;
  }
  function customerSummary(c) {
    return { ...c, control_numbers: mg.controlNumbers.filter((n) => n.customer_id === c.customer_id).length, balance: m(0) };
  }
  function makeControl(customer_id, item) {
    const n = { control_number: "CN" + pad(55000 + mg.nextControl++, 8), customer_id, description: item.description, amount: m(item.amount_minor), mode: item.mode,
      paid: m(0), payments: [], created_ms: Date.now() };
    mg.controlNumbers.push(n);
    return n;
  }
  function report(kind, counted) {
    const since = mg.rows.filter((r) => r.at_ms >= mg.lastZ && (r.status === "received" || r.status === "refunded"));
    const sum = (xs) => xs.reduce((a, r) => a + r.amount.minor - r.refunded.minor, 0);
    const by_method = METHOD_ORDER.map((method) => { const xs = since.filter((r) => r.method === method); return { method, count: xs.length, amount: m(sum(xs)) }; }).filter((x) => x.count > 0);
    const cashiers = [...new Set(since.map((r) => r.cashier).filter((c) => c))].sort();
    const by_cashier = cashiers.map((c) => { const xs = since.filter((r) => r.cashier === c); return { cashier: c, count: xs.length, amount: m(sum(xs)) }; });
    const refunds = mg.refunds.filter((r) => r.state === "completed");
    const expected = sum(since.filter((r) => r.method === "cash"));
    return { kind, z_number: kind === "z" ? mg.zCount : null, from_ms: mg.lastZ, to_ms: Date.now(), total: m(sum(since)), by_method, by_cashier,
      refunds: { count: refunds.length, amount: m(refunds.reduce((a, r) => a + r.minor, 0)) },
      pending_count: mg.rows.filter((r) => r.status === "pending").length, unmatched_count: mg.unmatched.length, unmatched: m(mg.unmatched.reduce((a, u) => a + u.amount.minor, 0)),
      cash_expected: m(expected), cash_counted: counted == null ? null : m(counted), cash_difference: counted == null ? null : m(counted - expected) };
  }
  const guard = (f) => (args) => (isManager() ? f(args) : fail("not_permitted", "Only a manager can do this."));

  Object.assign(handlers, {
    transactions_page: guard(({ filter, cursor, limit }) => {
      const rows = filtered(filter);
      const start = cursor ? Number(cursor.slice(1)) : 0;
      const page = rows.slice(start, start + limit);
      const chart_bucket = chartBucketOf(filter);
      return { rows: page.map(publicRow), next: start + limit < rows.length ? "o" + (start + limit) : null, kpis: kpisOf(rows), chart: chartOf(rows, chart_bucket), chart_bucket };
    }),
    transactions_export_csv: guard(({ filter }) => {
      const n = filtered(filter).length;
      mg.exports.push(filter);
      return { path: "/home/mama/Documents/malipo-transactions.csv", rows: n };
    }),
    transaction_detail: guard(({ payment_id, attempt_id }) => {
      const row = mg.rows.find((r) => (payment_id != null ? r.payment_id === payment_id : r.attempt_id === attempt_id && r.payment_id == null));
      return row ? detailOf(row) : fail("not_found");
    }),
    unmatched_list: guard(({ query }) => {
      const q = (query || "").toUpperCase();
      return mg.unmatched.filter((u) => !q || [u.receipt, u.payer_name, u.account_reference, u.payer_masked].some((x) => x && x.toUpperCase().includes(q)));
    }),
    open_targets: guard(({ query }) => {
      const q = (query || "").toUpperCase();
      const sales = [...mg.sales.values()].filter((x) => x.status === "open").map((x) => ({ kind: "sale", id: x.id, number: x.number, customer: null, total: m(x.total),
        balance: m(x.total - x.paid), accepts_over: false, created_ms: dayStart }));
      const invs = [...mg.invoices.values()].map(invoiceView).filter((v) => v.number && (v.balance.minor > 0 || v.mode === "partial_over") && v.status !== "void")
        .map((v) => ({ kind: "invoice", id: v.invoice_id, number: v.number, customer: v.customer ? v.customer.name : null, total: v.total, balance: v.balance,
          accepts_over: v.mode === "partial_over", created_ms: v.issued_ms }));
      const all = [...sales, ...invs];
      const hits = all.filter((x) => !q || x.number.toUpperCase().startsWith(q) || (x.customer || "").toUpperCase().includes(q));
      return (hits.length > 0 ? hits : all).slice(0, 20);
    }),
    unmatched_attach: guard(({ unmatched_id, target, pin }) => {
      if (!checkPin(pin)) return fail("wrong_pin");
      const i = mg.unmatched.findIndex((u) => u.unmatched_id === unmatched_id);
      if (i < 0) return fail("not_found");
      const u = mg.unmatched[i];
      let take = u.amount.minor;
      if (target.kind === "sale") {
        const sale = mg.sales.get(target.id);
        if (!sale || sale.status !== "open") return fail("target_closed");
        take = Math.min(take, sale.total - sale.paid);
        sale.paid += take;
        if (sale.paid >= sale.total) sale.status = "paid";
      } else {
        const inv = mg.invoices.get(target.id);
        const v = invoiceView(inv);
        if (v.mode !== "partial_over") take = Math.min(take, v.balance.minor);
        inv.payments.push({ payment_id: u.payment_id, at_ms: Date.now(), method: u.method, kind: "payment", amount: m(take), receipt: u.receipt });
        emit("invoice-changed", invoiceView(inv));
      }
      const rest = u.amount.minor - take;
      mg.unmatched.splice(i, 1);
      if (rest > 0) addUnmatched({ ...u, minor: rest, reason: "overpayment", reason_detail: "Left over after paying " + target.kind + " in full" });
      const row = mg.rows.find((r) => r.receipt === u.receipt);
      if (row) { row.status = "received"; row.target = { kind: target.kind, id: target.id, number: targetView(target).number }; }
      emit("transactions-changed", null);
      return { target: targetView(target), remainder: m(rest) };
    }),
    invoices_list: guard(({ status, query }) => [...mg.invoices.values()].map(invoiceView).reverse()
      .filter((v) => (status == null || v.status === status) && (!query || (v.number || "").includes(query) || (v.customer && v.customer.name.includes(query))))
      .map((v) => ({ invoice_id: v.invoice_id, number: v.number, customer_name: v.customer ? v.customer.name : null, total: v.total, balance: v.balance, status: v.status,
        due_date: v.due_date, issued_ms: v.issued_ms }))),
    invoice_save_draft: guard(({ input }) => {
      let x = input.invoice_id != null ? mg.invoices.get(input.invoice_id) : null;
      if (x && x.status !== "draft") return fail("invoice_not_draft");
      if (!x) { x = { invoice_id: mg.nextInvoice++, number: null, status: "draft", payments: [], control_number: null, issued_ms: null }; mg.invoices.set(x.invoice_id, x); }
      Object.assign(x, { customer_id: input.customer_id, due_date: input.due_date, mode: input.mode, note: input.note, lines: input.lines });
      return invoiceView(x);
    }),
    invoice_issue: guard(({ invoice_id }) => {
      const x = mg.invoices.get(invoice_id);
      if (!x) return fail("not_found");
      if (x.status !== "draft") return fail("invoice_not_draft");
      if (x.lines.length === 0 || x.customer_id == null) return fail("invalid_input");
      x.status = "issued";
      x.number = "INV-" + pad(mg.nextInvoiceNumber++);
      x.issued_ms = Date.now();
      return invoiceView(x);
    }),
    invoice_void: guard(({ invoice_id, pin }) => {
      if (!checkPin(pin)) return fail("wrong_pin");
      const x = mg.invoices.get(invoice_id);
      if (x.payments.length > 0) return fail("invoice_has_payments");
      x.status = "void";
      return invoiceView(x);
    }),
    invoice_detail: guard(({ invoice_id }) => (mg.invoices.has(invoice_id) ? invoiceView(mg.invoices.get(invoice_id)) : fail("not_found"))),
    invoice_card_link: guard(({ invoice_id, amount_minor }) => ({ url: "https://checkout.paystack.com/inv" + invoice_id + "-" + amount_minor, qr_png_base64: QR_PNG,
      reference: "MLP-INV-" + invoice_id, expires_ms: null })),
    invoice_billpay: guard(({ invoice_id }) => {
      const x = mg.invoices.get(invoice_id);
      if (!x.control_number) x.control_number = "CN" + pad(77000 + invoice_id, 8);
      const v = invoiceView(x);
      return { control_number: x.control_number, amount: v.balance, mode: v.mode };
    }),
    invoice_pdf: guard(({ invoice_id }) => ({ path: "/home/mama/Documents/" + (mg.invoices.get(invoice_id).number || "draft") + ".pdf" })),
    customers_list: guard(({ query }) => [...mg.customers.values()].filter((c) => !query || c.name.toUpperCase().includes(query.toUpperCase()) || digits(c.phone).includes(digits(query) || "x"))
      .sort((a, b) => a.name.localeCompare(b.name)).map(customerSummary)),
    customer_detail: guard(({ customer_id }) => (mg.customers.has(customer_id)
      ? { customer: mg.customers.get(customer_id), control_numbers: mg.controlNumbers.filter((n) => n.customer_id === customer_id) } : fail("not_found"))),
    customer_save: guard(({ input }) => {
      if (!input.name) return fail("invalid_input");
      const id = input.customer_id ?? mg.nextCustomer++;
      const c = { customer_id: id, name: input.name, phone: input.phone, email: input.email };
      mg.customers.set(id, c);
      return c;
    }),
    control_numbers_create: guard(({ customer_id, items }) => items.map((it) => makeControl(customer_id, it))),
    control_numbers_import: guard(({ rows }) => {
      let customers_created = 0;
      const out = rows.map((r) => {
        let c = [...mg.customers.values()].find((x) => (r.phone && digits(x.phone) && normDigits(x.phone) === normDigits(r.phone)) || x.name === r.name);
        if (!c) { c = { customer_id: mg.nextCustomer++, name: r.name, phone: r.phone, email: r.email }; mg.customers.set(c.customer_id, c); customers_created++; }
        const n = makeControl(c.customer_id, r);
        return { line: r.line, ok: true, control_number: n.control_number, error: null };
      });
      return { created: out.length, customers_created, rows: out };
    }),
    refunds_enabled: () => s.settings.options.refunds_enabled,
    refund_request: guard(({ payment_id, amount_minor, receipt, manager, pin }) => {
      if (!s.settings.options.refunds_enabled) return fail("refunds_disabled", "Refunds are turned off.");
      if (!checkPin(pin)) return fail("wrong_pin");
      const row = mg.rows.find((r) => r.payment_id === payment_id);
      if (!row) return fail("not_found");
      const want = (row.receipt || (row.target && row.target.number) || "").replace(/\s/g, "").toUpperCase();
      if (receipt.replace(/\s/g, "").toUpperCase() !== want) return fail("receipt_mismatch");
      const left = refundable(row);
      if (amount_minor <= 0 || amount_minor > left || (row.method !== "card" && amount_minor !== left)) return fail("invalid_amount");
      const r = { refund_id: mg.nextRefund++, payment_id, minor: amount_minor, state: "pending", reason: null, provider_ref: null, requested_ms: Date.now(), manager };
      mg.refunds.push(r);
      if (row.method === "cash") return finishRefund(r.refund_id, "completed");
      emit("refund-changed", refundView(r));
      return refundView(r);
    }),
    report_x: guard(() => report("x", null)),
    report_z: guard(({ counted_cash_minor, pin }) => {
      if (!checkPin(pin)) return fail("wrong_pin");
      mg.zCount++;
      const r = report("z", counted_cash_minor);
      mg.lastZ = Date.now();
      return r;
    }),
    report_print: guard(() => null),
    report_pdf: guard(({ kind, z_number }) => ({ path: "/home/mama/Documents/malipo-" + kind + (z_number ? "-" + z_number : "") + ".pdf" })),
  });

  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
    transformCallback(cb, once) {
      const id = nextCb++;
      callbacks.set(id, once ? (x) => { callbacks.delete(id); cb(x); } : cb);
      return id;
    },
    unregisterCallback(id) { callbacks.delete(id); },
    convertFileSrc(p) { return p; },
    async invoke(cmd, args) {
      if (cmd === "plugin:event|listen") {
        const id = nextListener++;
        listeners.set(id, { event: args.event, handler: args.handler });
        return id;
      }
      if (cmd === "plugin:event|unlisten") { listeners.delete(args.eventId); return null; }
      s.calls.push({ cmd, args: args === undefined ? null : JSON.parse(JSON.stringify(args)) });
      const h = handlers[cmd];
      if (!h) return fail("unknown_command", "fake backend has no " + cmd);
      if (cfg.latencyMs) await new Promise((r) => setTimeout(r, cfg.latencyMs));
      return h(args || {});
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener(_event, id) { listeners.delete(id); } };
  window.isTauri = true;

  // A till restarted in the middle of a sale: the cart, the open sale and a pending STK push
  // are in the store; the register must come back to "waiting", not to an empty cart.
  if (cfg.resume) {
    handlers.cart_add({ code: "SUG2", qty: 1 });
    handlers.checkout();
    handlers.stk_start({ sale_id: 1, phone: "0712345678", amount_minor: 25000 });
  }

  window.__fake = {
    state: s,
    calls: (cmd) => s.calls.filter((c) => !cmd || c.cmd === cmd),
    resolve,
    lastAttempt: () => { const a = [...s.attempts.values()].pop(); return a ? attemptView(a) : null; },
    addIncoming,
    emit,
    secrets: () => s.storedSecrets,
    manager: mg,
    payInvoice,
    finishRefund,
    addUnmatched,
    addPayment,
  };
})();
