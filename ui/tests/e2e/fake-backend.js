// A fake Malipo backend living in the page, installed before the app's scripts (Playwright
// addInitScript). It stands in for Tauri at the invoke/listen boundary exactly as
// @tauri-apps/api talks to it (window.__TAURI_INTERNALS__), follows docs/ipc.md, records every
// command with its arguments, and lets a test play the customer or the provider through
// window.__fake (confirm an STK push, cancel it, let a late payment arrive, …).
(() => {
  const cfg = Object.assign({ user: "Aisha", stkSeconds: 60, autoTimeout: false }, window.__FAKE_CONFIG__ || {});
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
      options: { refunds_enabled: false, receipt_email: false, receipt_sms: true, printer_kind: "none", printer_address: "", printer_width: 58 },
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
    sale_current: () => (s.sale && s.sale.status === "open" ? saleView() : null),
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
  };
})();
