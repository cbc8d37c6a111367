// api.ts against docs/ipc.md: each function invokes the documented command with the
// documented snake_case arguments, integer amounts only, and errors come back as ApiError.
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

describe("commands", () => {
  const cases: Array<[string, () => Promise<unknown>, string, unknown]> = [
    ["appInfo", () => api.appInfo(), "app_info", undefined],
    ["login", () => api.login("Aisha", "1234"), "login", { name: "Aisha", pin: "1234" }],
    ["managerUnlock", () => api.managerUnlock("9999"), "manager_unlock", { pin: "9999" }],
    ["cartAdd", () => api.cartAdd("6001234500017", 3), "cart_add", { code: "6001234500017", qty: 3 }],
    ["cartSetQty", () => api.cartSetQty(4, 0), "cart_set_qty", { line_id: 4, qty: 0 }],
    ["cartDiscount line", () => api.cartDiscount(4, 1500), "cart_discount", { line_id: 4, amount_minor: 1500 }],
    ["cartDiscount cart", () => api.cartDiscount(null, 500), "cart_discount", { line_id: null, amount_minor: 500 }],
    ["cartHold", () => api.cartHold("Mama Njeri"), "cart_hold", { label: "Mama Njeri" }],
    ["cartRecall", () => api.cartRecall("c9"), "cart_recall", { cart_id: "c9" }],
    ["checkout", () => api.checkout(), "checkout", undefined],
    ["saleCancel", () => api.saleCancel(7), "sale_cancel", { sale_id: 7 }],
    ["payCash", () => api.payCash(7, 31500, 50000), "pay_cash", { sale_id: 7, amount_minor: 31500, tendered_minor: 50000 }],
    ["stkStart", () => api.stkStart(7, "0712 345 678", 25000), "stk_start", { sale_id: 7, phone: "0712 345 678", amount_minor: 25000 }],
    ["attemptStopWaiting", () => api.attemptStopWaiting(3), "attempt_stop_waiting", { attempt_id: 3 }],
    ["qrStart", () => api.qrStart(7, 25000), "qr_start", { sale_id: 7, amount_minor: 25000 }],
    ["tillWait", () => api.tillWait(7, 25000), "till_wait", { sale_id: 7, amount_minor: 25000 }],
    ["cardStart", () => api.cardStart(7, 25000, null), "card_start", { sale_id: 7, amount_minor: 25000, email: null }],
    ["cardFinish", () => api.cardFinish(3, "R1"), "card_finish", { attempt_id: 3, reference: "R1" }],
    ["cardCancelled", () => api.cardCancelled(3), "card_cancelled", { attempt_id: 3 }],
    ["incomingClaim", () => api.incomingClaim(11, 7), "incoming_claim", { unmatched_id: 11, sale_id: 7 }],
    ["receiptPrint", () => api.receiptPrint(7), "receipt_print", { sale_id: 7 }],
    ["settingsTestConnection", () => api.settingsTestConnection("daraja"), "settings_test_connection", { provider: "daraja" }],
    ["settingsSaveRelay", () => api.settingsSaveRelay({ url: "u", device_token: null }), "settings_save_relay", { input: { url: "u", device_token: null } }],
    ["userSave", () => api.userSave("Juma", "cashier", null, "sw"), "user_save", { name: "Juma", role: "cashier", pin: null, language: "sw" }],
    [
      "trainingCustomer",
      () => api.trainingCustomer({ action: "pay_paybill", attempt_id: null, phone: "0712345678", amount_minor: 25000, account_reference: "T1-000007" }),
      "training_customer",
      { action: "pay_paybill", attempt_id: null, phone: "0712345678", amount_minor: 25000, account_reference: "T1-000007" },
    ],
  ];
  for (const [name, call, cmd, args] of cases) {
    it(`${name} → ${cmd}`, async () => {
      await call();
      expect(invoke).toHaveBeenCalledTimes(1);
      expect(invoke).toHaveBeenCalledWith(cmd, args);
    });
  }

  it("refuses a non-integer amount before it reaches the backend", () => {
    expect(() => api.payCash(7, 315.5, 500)).toThrow(RangeError);
    expect(() => api.stkStart(7, "0712345678", 0.1 + 0.2)).toThrow(RangeError);
    expect(invoke).not.toHaveBeenCalled();
  });

  it("passes ApiError through and wraps anything else", async () => {
    invoke.mockRejectedValueOnce({ code: "invalid_phone", message: "bad" });
    await expect(api.stkStart(7, "x", 100)).rejects.toEqual({ code: "invalid_phone", message: "bad" });
    invoke.mockRejectedValueOnce("boom");
    await expect(api.checkout()).rejects.toEqual({ code: "ipc", message: "boom" });
  });
});

describe("events", () => {
  it("hands the payload, not the envelope, to the handler", async () => {
    const unlisten = vi.fn();
    listen.mockImplementation((_e: string, cb: (e: { payload: unknown }) => void) => {
      cb({ payload: { attempt_id: 3 } });
      return Promise.resolve(unlisten);
    });
    const got: unknown[] = [];
    const off = await on("attempt-changed", (p) => got.push(p));
    expect(listen).toHaveBeenCalledWith("attempt-changed", expect.any(Function));
    expect(got).toEqual([{ attempt_id: 3 }]);
    off();
    expect(unlisten).toHaveBeenCalled();
  });
});
