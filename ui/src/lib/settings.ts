// Settings forms → the save commands' inputs. Secrets are write-only: an empty field means
// "keep the stored one" (null), and the form never starts with a stored value in it.

import type { ClickPesaInput, DarajaInput, PaystackInput, RelayInput, SecretInput, SettingsView } from "./api";

export const secretOrNull = (v: string): SecretInput => (v.trim() === "" ? null : v);

export interface DarajaForm {
  environment: "sandbox" | "live";
  shortcode: string;
  till_number: string;
  initiator: string;
}
export interface DarajaSecrets {
  consumer_key: string;
  consumer_secret: string;
  passkey: string;
  initiator_password: string;
  certificate_pem: string;
}

export const emptyDarajaSecrets = (): DarajaSecrets => ({
  consumer_key: "",
  consumer_secret: "",
  passkey: "",
  initiator_password: "",
  certificate_pem: "",
});

export function darajaForm(v: SettingsView): DarajaForm {
  const d = v.daraja;
  return { environment: d.environment, shortcode: d.shortcode, till_number: d.till_number, initiator: d.initiator };
}

export function darajaInput(f: DarajaForm, s: DarajaSecrets): DarajaInput {
  return {
    environment: f.environment,
    shortcode: f.shortcode.trim(),
    till_number: f.till_number.trim(),
    initiator: f.initiator.trim(),
    consumer_key: secretOrNull(s.consumer_key),
    consumer_secret: secretOrNull(s.consumer_secret),
    passkey: secretOrNull(s.passkey),
    initiator_password: secretOrNull(s.initiator_password),
    certificate_pem: secretOrNull(s.certificate_pem),
  };
}

export function paystackInput(public_key: string, secret_key: string): PaystackInput {
  return { public_key: public_key.trim(), secret_key: secretOrNull(secret_key) };
}

export function clickpesaInput(client_id: string, api_key: string, checksum_key: string): ClickPesaInput {
  return { client_id: client_id.trim(), api_key: secretOrNull(api_key), checksum_key: secretOrNull(checksum_key) };
}

export function relayInput(url: string, device_token: string): RelayInput {
  return { url: url.trim(), device_token: secretOrNull(device_token) };
}
