import { describe, expect, it } from "vitest";
import type { SettingsView } from "../../src/lib/api";
import { clickpesaInput, darajaForm, darajaInput, emptyDarajaSecrets, paystackInput, relayInput, secretOrNull } from "../../src/lib/settings";
import { printerItem, relayItems } from "../../src/lib/status";

const view: SettingsView = {
  shop: { name: "Duka", address: "", kra_pin: "", phone: "", currency: "KES", receipt_language: "en" },
  daraja: { environment: "live", shortcode: "600000", till_number: "5123456", initiator: "api", consumer_key_set: true, consumer_secret_set: true, passkey_set: true, initiator_password_set: true, certificate_set: true },
  paystack: { public_key: "pk", secret_key_set: true },
  clickpesa: { client_id: "c", api_key_set: false, checksum_key_set: false },
  relay: { url: "https://r", device_token_set: true, callback_urls: [] },
  options: { refunds_enabled: false, receipt_email: false, receipt_sms: false, printer_kind: "none", printer_address: "", printer_width: 58 },
  users: [],
};

describe("settings inputs", () => {
  it("an empty secret field keeps the stored secret (null); a typed one replaces it", () => {
    expect(secretOrNull("")).toBeNull();
    expect(secretOrNull("   ")).toBeNull();
    expect(secretOrNull("s3cret")).toBe("s3cret");
    const input = darajaInput(darajaForm(view), { ...emptyDarajaSecrets(), passkey: "newpass" });
    expect(input).toEqual({
      environment: "live", shortcode: "600000", till_number: "5123456", initiator: "api",
      consumer_key: null, consumer_secret: null, passkey: "newpass", initiator_password: null, certificate_pem: null,
    });
    expect(paystackInput(" pk_live ", "")).toEqual({ public_key: "pk_live", secret_key: null });
    expect(clickpesaInput("id", "k", "")).toEqual({ client_id: "id", api_key: "k", checksum_key: null });
    expect(relayInput("https://r ", "tok")).toEqual({ url: "https://r", device_token: "tok" });
  });

  it("the form built from a SettingsView holds no secret at all", () => {
    expect(Object.values(darajaForm(view))).toEqual(["live", "600000", "5123456", "api"]);
    expect(Object.values(emptyDarajaSecrets()).every((v) => v === "")).toBe(true);
  });
});

describe("status bar", () => {
  it("online, offline since a time, events waiting", () => {
    expect(relayItems({ online: true, offline_since_ms: null, waiting: 0 })).toEqual([{ key: "relay_online", tone: "ok" }]);
    const off = relayItems({ online: false, offline_since_ms: new Date(2026, 10, 25, 9, 5).getTime(), waiting: 4 });
    expect(off).toEqual([
      { key: "relay_offline_since", params: { time: "09:05" }, tone: "calm" },
      { key: "relay_waiting", params: { n: 4 }, tone: "calm" },
    ]);
  });
  it("printer states", () => {
    expect(printerItem({ state: "ready", detail: null }).key).toBe("printer_ready");
    expect(printerItem({ state: "offline", detail: "paper out" })).toEqual({ key: "printer_offline", tone: "calm" });
    expect(printerItem({ state: "none", detail: null }).key).toBe("printer_none");
  });
});
