//! `malipo-sim` — faithful simulators of the providers' HTTP APIs, for the tests and the
//! till's training mode. Each speaks its provider's exact wire format on a loopback port and
//! scripts the customer (approve, cancel, wrong PIN, never answer, duplicate the callback…).
//!
//! Each simulator module exposes `router(state) -> axum::Router` and
//! `run(listener, shutdown)`, so tests start them in-process on port 0 and the `malipo-sim`
//! binary starts them on fixed ports. The simulators deliberately do not share wire types with
//! `malipo-providers`: a misread field shows up as a disagreement on the wire.

/// Paystack: initialize/verify/refund, hosted checkout, PaystackPop stand-in, signed webhooks.
pub mod paystack;

/// Safaricom M-Pesa (Daraja): OAuth, STK, C2B, QR, reversal, status, scripted customers.
pub mod daraja;

/// ClickPesa: BillPay control numbers, a paying customer (partial/over), checksummed webhooks.
pub mod clickpesa;

/// Africa's Talking SMS: the bulk SMS endpoint, recorded messages, scripted failures.
pub mod sms;

/// An SMTP sink: a real mail server on loopback that records what it accepts.
pub mod smtp;
