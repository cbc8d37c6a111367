//! A shop's Daraja configuration: environment, credentials (as `Sensitive`), shortcode, till,
//! initiator and certificate, plus the settings where Daraja's sources disagree.

use malipo_vault::Sensitive;
use url::Url;

/// Where requests go. Sandbox and production are separate Daraja apps with separate keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://sandbox.safaricom.co.ke`.
    Sandbox,
    /// `https://api.safaricom.co.ke`.
    Production,
    /// Malipo's own Daraja simulator (tests, demo, training mode). Only here may callback URLs
    /// be plain `http` — and then only to a loopback host.
    Simulator { base_url: Url },
}

impl Environment {
    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> String {
        match self {
            Environment::Sandbox => "https://sandbox.safaricom.co.ke".to_string(),
            Environment::Production => "https://api.safaricom.co.ke".to_string(),
            Environment::Simulator { base_url } => {
                base_url.as_str().trim_end_matches('/').to_string()
            }
        }
    }

    /// True only for the simulator: http callbacks to loopback hosts are allowed.
    pub fn allows_loopback_http(&self) -> bool {
        match self {
            Environment::Sandbox | Environment::Production => false,
            Environment::Simulator { .. } => true,
        }
    }

    /// A word for screens and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
            Environment::Simulator { .. } => "simulator",
        }
    }
}

/// Which C2B register URL product the Daraja app has. Sources disagree (reference §3.1, §9):
/// Safaricom's docs present v2 as current, Safaricom support told one integrator to use v1 in
/// 2025, and a mismatch gives `401.003.01`. So it is a setting. v1 confirmations carry the
/// payer's MSISDN as a SHA-256 hash, v2 masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C2bVersion {
    V1,
    V2,
}

impl C2bVersion {
    /// The register path for this version.
    pub fn register_path(self) -> &'static str {
        match self {
            C2bVersion::V1 => "/mpesa/c2b/v1/registerurl",
            C2bVersion::V2 => "/mpesa/c2b/v2/registerurl",
        }
    }
}

/// `RecieverIdentifierType` for reversals. Current docs say `"11"`, older docs and SDKs `"4"`,
/// and one SDK could not get `11` accepted in sandbox (reference §5.1, §9). A setting; the
/// default follows the current docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReceiverIdentifierType {
    /// `"11"`, per Safaricom's current Reversal page.
    #[default]
    Current11,
    /// `"4"` (organisation shortcode), per older docs and SDKs.
    Legacy4,
}

impl ReceiverIdentifierType {
    /// The value sent on the wire.
    pub fn wire(self) -> &'static str {
        match self {
            ReceiverIdentifierType::Current11 => "11",
            ReceiverIdentifierType::Legacy4 => "4",
        }
    }
}

/// A shop's Daraja configuration. `Debug` prints every secret as `<redacted>`.
#[derive(Debug, Clone)]
pub struct DarajaConfig {
    pub environment: Environment,
    pub consumer_key: Sensitive<String>,
    pub consumer_secret: Sensitive<String>,
    /// The paybill, or for a till the store / head-office number used at Go-Live: it goes in
    /// `BusinessShortCode` and in the STK `Password`.
    pub shortcode: String,
    pub passkey: Sensitive<String>,
    /// The till number (Party B) when the shop collects by Buy Goods; `None` for a paybill.
    pub till_number: Option<String>,
    /// API operator username for reversal and transaction status.
    pub initiator_name: Option<String>,
    pub initiator_password: Option<Sensitive<String>>,
    /// Safaricom's X.509 certificate (PEM or DER) for the SecurityCredential. Public data.
    pub certificate: Option<Vec<u8>>,
    pub c2b_version: C2bVersion,
    pub receiver_identifier_type: ReceiverIdentifierType,
}

impl DarajaConfig {
    /// A configuration with the required credentials and the defaults for the rest
    /// (paybill, no initiator, C2B v2, `RecieverIdentifierType` 11).
    pub fn new(
        environment: Environment,
        consumer_key: Sensitive<String>,
        consumer_secret: Sensitive<String>,
        shortcode: impl Into<String>,
        passkey: Sensitive<String>,
    ) -> DarajaConfig {
        DarajaConfig {
            environment,
            consumer_key,
            consumer_secret,
            shortcode: shortcode.into(),
            passkey,
            till_number: None,
            initiator_name: None,
            initiator_password: None,
            certificate: None,
            c2b_version: C2bVersion::V2,
            receiver_identifier_type: ReceiverIdentifierType::default(),
        }
    }

    /// True when the shop collects on a till (Buy Goods).
    pub fn is_till(&self) -> bool {
        self.till_number.is_some()
    }
}
