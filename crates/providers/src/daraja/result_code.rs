//! Every Daraja code in the reference, with its meaning for the cashier.
//!
//! Codes are read as text (Daraja sends `0`, `"0"`, `"SFC_IC0003"`, `"R000002"`); each enum has
//! an `Unknown(code)` variant so nothing is lost, and every `match` over the enums is
//! exhaustive, so a new variant forces every meaning to be written.

use super::wire::is_all_zero;

/// What a code means for the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The money moved.
    Paid,
    /// Final: the money did not move.
    Failed,
    /// Not final yet: keep waiting or ask again.
    Pending,
}

/// A `ResultCode` of an STK callback or STK query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StkResultCode {
    /// `0` — paid.
    Success,
    /// `1` — the customer's balance is insufficient.
    InsufficientBalance,
    /// `2` — below the minimum (KES 1).
    BelowMinimum,
    /// `3` — over the per-transaction maximum.
    AboveMaximum,
    /// `4` — over the customer's daily limit.
    DailyLimit,
    /// `8` — the merchant account would exceed its maximum balance.
    MerchantBalanceLimit,
    /// `17` — same amount to the same customer within 2 minutes (disputed meaning).
    RuleLimited,
    /// `26` — system busy / traffic blocking.
    SystemBusy,
    /// `1001` — another M-Pesa transaction is in progress on the phone.
    SubscriberLocked,
    /// `1019` — the transaction expired before the customer acted.
    Expired,
    /// `1025` — the push could not be sent (prompt too long or transient).
    PushFailed,
    /// `1032` — the customer cancelled.
    Cancelled,
    /// `1037` — the phone could not be reached / the prompt was not answered.
    Unreachable,
    /// `1101` — the organisation name is too long for the prompt.
    PromptPrefixTooLong,
    /// `2001` — wrong PIN.
    WrongPin,
    /// `2028` — wrong `TransactionType`/`PartyB` for the shortcode.
    NotPermitted,
    /// `4999` — (query only) still being processed.
    StillProcessing,
    /// `8006` — the customer's M-Pesa PIN is locked.
    CredentialLocked,
    /// `9999` — failed, meaning disputed between sources.
    FailedUnspecified,
    /// `SFC_IC0003` — "The operator does not exist": paybill/till settings mixed up.
    OperatorDoesNotExist,
    /// Anything else, kept verbatim.
    Unknown(String),
}

impl StkResultCode {
    /// Reads a code as Daraja sends it. All-zero strings are success.
    pub fn from_code(code: &str) -> StkResultCode {
        let code = code.trim();
        if is_all_zero(code) {
            return StkResultCode::Success;
        }
        match code {
            "1" => StkResultCode::InsufficientBalance,
            "2" => StkResultCode::BelowMinimum,
            "3" => StkResultCode::AboveMaximum,
            "4" => StkResultCode::DailyLimit,
            "8" => StkResultCode::MerchantBalanceLimit,
            "17" => StkResultCode::RuleLimited,
            "26" => StkResultCode::SystemBusy,
            "1001" => StkResultCode::SubscriberLocked,
            "1019" => StkResultCode::Expired,
            "1025" => StkResultCode::PushFailed,
            "1032" => StkResultCode::Cancelled,
            "1037" => StkResultCode::Unreachable,
            "1101" => StkResultCode::PromptPrefixTooLong,
            "2001" => StkResultCode::WrongPin,
            "2028" => StkResultCode::NotPermitted,
            "4999" => StkResultCode::StillProcessing,
            "8006" => StkResultCode::CredentialLocked,
            "9999" => StkResultCode::FailedUnspecified,
            "SFC_IC0003" => StkResultCode::OperatorDoesNotExist,
            other => StkResultCode::Unknown(other.to_string()),
        }
    }

    /// Paid, failed, or not final.
    pub fn outcome(&self) -> Outcome {
        match self {
            StkResultCode::Success => Outcome::Paid,
            StkResultCode::StillProcessing => Outcome::Pending,
            StkResultCode::InsufficientBalance
            | StkResultCode::BelowMinimum
            | StkResultCode::AboveMaximum
            | StkResultCode::DailyLimit
            | StkResultCode::MerchantBalanceLimit
            | StkResultCode::RuleLimited
            | StkResultCode::SystemBusy
            | StkResultCode::SubscriberLocked
            | StkResultCode::Expired
            | StkResultCode::PushFailed
            | StkResultCode::Cancelled
            | StkResultCode::Unreachable
            | StkResultCode::PromptPrefixTooLong
            | StkResultCode::WrongPin
            | StkResultCode::NotPermitted
            | StkResultCode::CredentialLocked
            | StkResultCode::FailedUnspecified
            | StkResultCode::OperatorDoesNotExist
            | StkResultCode::Unknown(_) => Outcome::Failed,
        }
    }

    /// What the cashier sees.
    pub fn cashier_message(&self) -> &'static str {
        match self {
            StkResultCode::Success => "Paid: M-Pesa confirmed the payment.",
            StkResultCode::InsufficientBalance => {
                "The customer's M-Pesa balance is not enough for this amount."
            }
            StkResultCode::BelowMinimum => "The amount is below M-Pesa's minimum of KES 1.",
            StkResultCode::AboveMaximum => {
                "The amount is over the customer's M-Pesa limit per transaction."
            }
            StkResultCode::DailyLimit => "The customer has reached their daily M-Pesa limit.",
            StkResultCode::MerchantBalanceLimit => {
                "The shop's M-Pesa account is at its maximum balance; call Safaricom."
            }
            StkResultCode::RuleLimited => {
                "Same amount to the same phone within 2 minutes: wait 2 minutes and try again."
            }
            StkResultCode::SystemBusy => "M-Pesa is busy; try again in 30 seconds.",
            StkResultCode::SubscriberLocked => {
                "Another M-Pesa transaction is open on the customer's phone; try again in a minute."
            }
            StkResultCode::Expired => "The request expired before the customer answered.",
            StkResultCode::PushFailed => {
                "M-Pesa could not send the prompt; try again (shorten the reference if it repeats)."
            }
            StkResultCode::Cancelled => "The customer cancelled the M-Pesa prompt.",
            StkResultCode::Unreachable => {
                "The customer's phone could not be reached or the prompt was not answered."
            }
            StkResultCode::PromptPrefixTooLong => {
                "The shop name is too long for the M-Pesa prompt; shorten it in settings."
            }
            StkResultCode::WrongPin => "The customer entered a wrong M-Pesa PIN.",
            StkResultCode::NotPermitted => {
                "The shortcode and till settings do not match this kind of payment; check settings."
            }
            StkResultCode::StillProcessing => "M-Pesa is still processing the payment; wait.",
            StkResultCode::CredentialLocked => {
                "The customer's M-Pesa PIN is locked; they must call 100 or 200."
            }
            StkResultCode::FailedUnspecified => "M-Pesa reported a failure; try again.",
            StkResultCode::OperatorDoesNotExist => {
                "M-Pesa says the shortcode does not take this payment type; check paybill/till settings."
            }
            StkResultCode::Unknown(_) => "M-Pesa reported an unknown result; check the statement.",
        }
    }
}

/// A `ResultCode` of an asynchronous result (reversal, transaction status, queue timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsyncResultCode {
    /// `0` — processed.
    Success,
    /// `R000001` — already reversed.
    AlreadyReversed,
    /// `R000002` — the original transaction id is invalid or unknown.
    InvalidOriginalTransaction,
    /// `1` — the shortcode balance is insufficient.
    InsufficientBalance,
    /// `11` / `2006` — debit party or account not active.
    AccountInactive(String),
    /// `15` — duplicate OriginatorConversationID.
    DuplicateOriginator,
    /// `18` — initiator credential check failed (encryption or password).
    CredentialCheckFailed,
    /// `20` — unresolved initiator.
    UnresolvedInitiator,
    /// `21` — the initiator lacks the role for this party.
    InitiatorNotAllowed,
    /// `24` — missing fields.
    MissingFields,
    /// `25` — invalid parameters.
    InvalidParameters,
    /// `26` — traffic blocking.
    TrafficBlocking,
    /// `29` — invalid command.
    InvalidCommand,
    /// `2001` — initiator credentials invalid.
    InvalidInitiator,
    /// `2028` — the shortcode is not permitted.
    NotPermitted,
    /// `2032` — the receipt number does not exist.
    ReceiptNotFound,
    /// `8006` — the initiator password is locked.
    InitiatorLocked,
    /// Anything else, kept verbatim.
    Unknown(String),
}

impl AsyncResultCode {
    /// Reads a code as Daraja sends it. All-zero strings are success.
    pub fn from_code(code: &str) -> AsyncResultCode {
        let code = code.trim();
        if is_all_zero(code) {
            return AsyncResultCode::Success;
        }
        match code {
            "R000001" => AsyncResultCode::AlreadyReversed,
            "R000002" => AsyncResultCode::InvalidOriginalTransaction,
            "1" => AsyncResultCode::InsufficientBalance,
            "11" | "2006" => AsyncResultCode::AccountInactive(code.to_string()),
            "15" => AsyncResultCode::DuplicateOriginator,
            "18" => AsyncResultCode::CredentialCheckFailed,
            "20" => AsyncResultCode::UnresolvedInitiator,
            "21" => AsyncResultCode::InitiatorNotAllowed,
            "24" => AsyncResultCode::MissingFields,
            "25" => AsyncResultCode::InvalidParameters,
            "26" => AsyncResultCode::TrafficBlocking,
            "29" => AsyncResultCode::InvalidCommand,
            "2001" => AsyncResultCode::InvalidInitiator,
            "2028" => AsyncResultCode::NotPermitted,
            "2032" => AsyncResultCode::ReceiptNotFound,
            "8006" => AsyncResultCode::InitiatorLocked,
            other => AsyncResultCode::Unknown(other.to_string()),
        }
    }

    /// True only for success.
    pub fn is_success(&self) -> bool {
        match self {
            AsyncResultCode::Success => true,
            AsyncResultCode::AlreadyReversed
            | AsyncResultCode::InvalidOriginalTransaction
            | AsyncResultCode::InsufficientBalance
            | AsyncResultCode::AccountInactive(_)
            | AsyncResultCode::DuplicateOriginator
            | AsyncResultCode::CredentialCheckFailed
            | AsyncResultCode::UnresolvedInitiator
            | AsyncResultCode::InitiatorNotAllowed
            | AsyncResultCode::MissingFields
            | AsyncResultCode::InvalidParameters
            | AsyncResultCode::TrafficBlocking
            | AsyncResultCode::InvalidCommand
            | AsyncResultCode::InvalidInitiator
            | AsyncResultCode::NotPermitted
            | AsyncResultCode::ReceiptNotFound
            | AsyncResultCode::InitiatorLocked
            | AsyncResultCode::Unknown(_) => false,
        }
    }

    /// What the manager sees.
    pub fn message(&self) -> &'static str {
        match self {
            AsyncResultCode::Success => "Done: M-Pesa processed the request.",
            AsyncResultCode::AlreadyReversed => "This payment was already reversed.",
            AsyncResultCode::InvalidOriginalTransaction => {
                "M-Pesa does not know that receipt number."
            }
            AsyncResultCode::InsufficientBalance => {
                "The shop's M-Pesa balance is too low to reverse this payment."
            }
            AsyncResultCode::AccountInactive(_) => "The M-Pesa account is not active.",
            AsyncResultCode::DuplicateOriginator => "M-Pesa saw this request twice.",
            AsyncResultCode::CredentialCheckFailed => {
                "The initiator password or Safaricom certificate is wrong; check settings."
            }
            AsyncResultCode::UnresolvedInitiator => {
                "M-Pesa does not know the initiator name; check settings."
            }
            AsyncResultCode::InitiatorNotAllowed => {
                "The initiator lacks the M-Pesa role for this; ask the Business Administrator."
            }
            AsyncResultCode::MissingFields | AsyncResultCode::InvalidParameters => {
                "M-Pesa refused the request's details."
            }
            AsyncResultCode::TrafficBlocking => "M-Pesa is busy; try again shortly.",
            AsyncResultCode::InvalidCommand => "M-Pesa refused the command.",
            AsyncResultCode::InvalidInitiator => {
                "The initiator name or password is wrong; check settings."
            }
            AsyncResultCode::NotPermitted => "The shortcode is not permitted to do this.",
            AsyncResultCode::ReceiptNotFound => "M-Pesa has no transaction with that receipt.",
            AsyncResultCode::InitiatorLocked => {
                "The initiator password is locked; the Business Administrator must unlock it."
            }
            AsyncResultCode::Unknown(_) => "M-Pesa returned an unknown result.",
        }
    }
}

/// An `errorCode` of Daraja's synchronous error envelope (reference §6.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorCode {
    /// `400.002.02` — "Bad Request - Invalid <field>".
    InvalidField,
    /// `400.002.05` — malformed JSON.
    InvalidPayload,
    /// `400.003.01`, `404.001.03`, `401.002.01` — the access token is wrong or expired.
    InvalidAccessToken,
    /// `400.003.02` — bad request (C2B/status).
    BadRequest,
    /// `400.008.01` — OAuth: invalid authentication type.
    InvalidAuthenticationType,
    /// `400.008.02` — OAuth: invalid grant type.
    InvalidGrantType,
    /// `401.003.01` — the API product is not enabled on the Daraja app.
    NoApiProduct,
    /// `404.001.01`, `404.003.01` — resource not found.
    NotFound,
    /// `404.001.04` — invalid authentication header.
    InvalidAuthenticationHeader,
    /// `405.001` — method not allowed.
    MethodNotAllowed,
    /// `500.001.1001` — several meanings (merchant does not exist, wrong credentials, subscriber
    /// locked, "being processed"); the message says which.
    ServiceError,
    /// `500.002.1001` — duplicate OriginatorConversationID.
    DuplicateOriginator,
    /// `500.003.02` — spike arrest / system busy.
    SpikeArrest,
    /// `500.003.03` — quota violation.
    QuotaViolation,
    /// `500.003.1001` — internal error; C2B "URLs are already registered".
    InternalError,
    /// Anything else, kept verbatim.
    Unknown(String),
}

impl ApiErrorCode {
    /// Reads an `errorCode` (or a non-zero `ResponseCode`).
    pub fn from_code(code: &str) -> ApiErrorCode {
        match code.trim() {
            "400.002.02" => ApiErrorCode::InvalidField,
            "400.002.05" => ApiErrorCode::InvalidPayload,
            "400.003.01" | "404.001.03" | "401.002.01" => ApiErrorCode::InvalidAccessToken,
            "400.003.02" => ApiErrorCode::BadRequest,
            "400.008.01" => ApiErrorCode::InvalidAuthenticationType,
            "400.008.02" => ApiErrorCode::InvalidGrantType,
            "401.003.01" => ApiErrorCode::NoApiProduct,
            "404.001.01" | "404.003.01" => ApiErrorCode::NotFound,
            "404.001.04" => ApiErrorCode::InvalidAuthenticationHeader,
            "405.001" => ApiErrorCode::MethodNotAllowed,
            "500.001.1001" => ApiErrorCode::ServiceError,
            "500.002.1001" => ApiErrorCode::DuplicateOriginator,
            "500.003.02" => ApiErrorCode::SpikeArrest,
            "500.003.03" => ApiErrorCode::QuotaViolation,
            "500.003.1001" => ApiErrorCode::InternalError,
            other => ApiErrorCode::Unknown(other.to_string()),
        }
    }

    /// True when a fresh token may fix it.
    pub fn is_invalid_token(&self) -> bool {
        match self {
            ApiErrorCode::InvalidAccessToken => true,
            ApiErrorCode::InvalidField
            | ApiErrorCode::InvalidPayload
            | ApiErrorCode::BadRequest
            | ApiErrorCode::InvalidAuthenticationType
            | ApiErrorCode::InvalidGrantType
            | ApiErrorCode::NoApiProduct
            | ApiErrorCode::NotFound
            | ApiErrorCode::InvalidAuthenticationHeader
            | ApiErrorCode::MethodNotAllowed
            | ApiErrorCode::ServiceError
            | ApiErrorCode::DuplicateOriginator
            | ApiErrorCode::SpikeArrest
            | ApiErrorCode::QuotaViolation
            | ApiErrorCode::InternalError
            | ApiErrorCode::Unknown(_) => false,
        }
    }
}
