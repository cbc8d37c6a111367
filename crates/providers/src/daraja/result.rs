//! The asynchronous `{"Result": {…}}` envelope Daraja POSTs to `ResultURL` for reversals and
//! transaction status queries, and the notice it POSTs to `QueueTimeOutURL`.
//!
//! `ResultCode` may be a number or a string (`0`, `"R000002"`, `"21"`); `ResultParameter` values
//! may be strings, numbers or missing; `ResultParameter` may be one object instead of a list.
//! The queue-timeout body is not documented in the reference: Malipo accepts the same `Result`
//! envelope (the shape every other Daraja async notice uses) and, failing that, any JSON object
//! carrying the conversation ids, so the engine can mark the request "timed out, ask again".

use malipo_core::{Money, Timestamp};
use serde_json::Value;

use super::error::ParseError;
use super::result_code::AsyncResultCode;
use super::time::parse_daraja_time;
use super::wire::{amount, json_body, optional_text, raw_text, required_text, scalar_text};

/// A reversal or transaction status result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncResult {
    /// `ResultType`: 0 completed, 1 waiting for further messages.
    pub result_type: Option<String>,
    pub result_code: AsyncResultCode,
    pub result_code_text: String,
    pub result_desc: String,
    pub originator_conversation_id: String,
    pub conversation_id: String,
    /// For a reversal, the receipt **of the reversal**; the reversed one is the
    /// `OriginalTransactionID` parameter.
    pub transaction_id: Option<String>,
    /// `ResultParameters.ResultParameter` as (key, value-as-text) pairs; valueless keys have
    /// `None`.
    pub parameters: Vec<(String, Option<String>)>,
}

impl AsyncResult {
    /// A parameter's value as text.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The `Amount` parameter in KES, read exactly.
    pub fn amount(&self) -> Option<Money> {
        self.parameter("Amount")
            .and_then(|a| amount(&Value::String(a.to_string())))
    }

    /// A time parameter (`TransCompletedTime`, `FinalisedTime`, `InitiatedTime`).
    pub fn time(&self, key: &str) -> Option<Timestamp> {
        self.parameter(key).and_then(parse_daraja_time)
    }
}

/// Parses a `Result` envelope.
pub fn parse_result(body: &[u8]) -> Result<AsyncResult, ParseError> {
    let json = json_body(body)?;
    let result = json.get("Result").ok_or_else(|| ParseError::Missing {
        field: "Result",
        raw: raw_text(body),
    })?;
    if !result.is_object() {
        return Err(ParseError::WrongType {
            field: "Result",
            raw: raw_text(body),
        });
    }
    let result_code_text = required_text(result, "ResultCode", body)?;
    let parameters = match result
        .get("ResultParameters")
        .and_then(|p| p.get("ResultParameter"))
    {
        Some(Value::Array(items)) => items.iter().filter_map(parameter).collect(),
        Some(single @ Value::Object(_)) => parameter(single).into_iter().collect(),
        Some(_) | None => Vec::new(),
    };
    Ok(AsyncResult {
        result_type: optional_text(result, "ResultType"),
        result_code: AsyncResultCode::from_code(&result_code_text),
        result_code_text,
        result_desc: optional_text(result, "ResultDesc").unwrap_or_default(),
        originator_conversation_id: required_text(result, "OriginatorConversationID", body)?,
        conversation_id: required_text(result, "ConversationID", body)?,
        transaction_id: optional_text(result, "TransactionID"),
        parameters,
    })
}

fn parameter(item: &Value) -> Option<(String, Option<String>)> {
    let key = item.get("Key").and_then(scalar_text)?;
    Some((key, item.get("Value").and_then(scalar_text)))
}

/// A queue-timeout notice: Daraja could not process the request in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueTimeout {
    pub originator_conversation_id: Option<String>,
    pub conversation_id: Option<String>,
    pub result_code_text: Option<String>,
    pub result_desc: Option<String>,
    /// The body as received.
    pub raw: String,
}

/// Parses a queue-timeout notice (see the module docs for the accepted shapes).
pub fn parse_queue_timeout(body: &[u8]) -> Result<QueueTimeout, ParseError> {
    let json = json_body(body)?;
    let inner = json.get("Result").unwrap_or(&json);
    if !inner.is_object() {
        return Err(ParseError::WrongType {
            field: "Result",
            raw: raw_text(body),
        });
    }
    let originator_conversation_id = optional_text(inner, "OriginatorConversationID");
    let conversation_id = optional_text(inner, "ConversationID");
    if originator_conversation_id.is_none() && conversation_id.is_none() {
        return Err(ParseError::Missing {
            field: "OriginatorConversationID",
            raw: raw_text(body),
        });
    }
    Ok(QueueTimeout {
        originator_conversation_id,
        conversation_id,
        result_code_text: optional_text(inner, "ResultCode"),
        result_desc: optional_text(inner, "ResultDesc"),
        raw: raw_text(body),
    })
}
