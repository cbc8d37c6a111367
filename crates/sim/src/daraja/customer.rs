//! The scripted customer: answers STK prompts (callback after the scripted delay, twice when
//! asked), pays the Paybill/Till or a QR from their phone (C2B confirmation), and draws QR codes.

use std::io::Cursor;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::state::{CustomerScript, DarajaSim, PushState, Receipt};
use super::wire::{daraja_time, nairobi_now};

/// A new receipt number: 10 uppercase letters and digits.
pub(crate) fn new_receipt(sim: &DarajaSim) -> String {
    format!("SK{:08}", sim.next_id())
}

/// Plays the scripted customer for a push: after the delay, settles it and posts the callback.
pub(crate) fn answer_push(sim: &DarajaSim, checkout: String, script: CustomerScript) {
    let Some((code, desc)) = script.action.result() else {
        tracing::info!(checkout, "daraja simulator: the customer never answers");
        return;
    };
    let sim = sim.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(script.delay_ms)).await;
        settle(&sim, &checkout, code, desc, script.duplicate).await;
    });
}

async fn settle(sim: &DarajaSim, checkout: &str, code: &str, desc: &str, duplicate: bool) {
    let Some(push) = sim.lock().pushes.get(checkout).cloned() else {
        return;
    };
    // PartyB must be the paybill itself, or a till of this store number (reference §2.1).
    let store = sim.passkey(&push.shortcode);
    let party_ok = if push.paybill {
        push.party_b == push.shortcode
    } else {
        store.is_some_and(|s| s.tills.contains(&push.party_b))
    };
    let (code, desc) = if !party_ok {
        ("SFC_IC0003", "The operator does not exist.")
    } else if push.amount > 250_000 && code == "0" {
        (
            "3",
            "The amount is greater than the maximum transaction amount.",
        )
    } else {
        (code, desc)
    };
    let now = daraja_time(nairobi_now());
    let body = if code == "0" {
        let receipt = new_receipt(sim);
        sim.lock().receipts.insert(
            receipt.clone(),
            Receipt {
                amount: push.amount,
                phone: push.phone.clone(),
                shortcode: push.party_b.clone(),
                time: now.clone(),
                reversed: false,
            },
        );
        if push.paybill {
            // An STK payment to a paybill also reaches its C2B URLs, same receipt.
            let c2b = C2bPayment {
                receipt: receipt.clone(),
                shortcode: push.party_b.clone(),
                phone: push.phone.clone(),
                amount: push.amount,
                bill_ref: push.account_reference.clone(),
                kind: "Pay Bill",
            };
            confirm_c2b(sim, &c2b, Duration::from_millis(10));
        }
        format!(
            r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"{m}","CheckoutRequestID":"{c}","ResultCode":0,"ResultDesc":"{desc}","CallbackMetadata":{{"Item":[{{"Name":"Amount","Value":{a}.00}},{{"Name":"MpesaReceiptNumber","Value":"{receipt}"}},{{"Name":"Balance"}},{{"Name":"TransactionDate","Value":{now}}},{{"Name":"PhoneNumber","Value":{p}}}]}}}}}}}}"#,
            m = push.merchant_request_id,
            c = checkout,
            a = push.amount,
            p = push.phone,
        )
    } else {
        // Numeric codes go as JSON numbers, others (SFC_IC0003) as strings, as Daraja does.
        let code_json = if code.bytes().all(|b| b.is_ascii_digit()) {
            code.to_string()
        } else {
            format!("\"{code}\"")
        };
        format!(
            r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"{m}","CheckoutRequestID":"{c}","ResultCode":{code_json},"ResultDesc":"{desc}"}}}}}}"#,
            m = push.merchant_request_id,
            c = checkout,
        )
    };
    if let Some(p) = sim.lock().pushes.get_mut(checkout) {
        p.state = PushState::Done {
            code: code.to_string(),
            desc: desc.to_string(),
        };
    }
    sim.deliver("stk", push.callback_url.clone(), body.clone())
        .await;
    if duplicate {
        sim.deliver("stk", push.callback_url, body).await;
    }
}

/// A customer-initiated payment.
pub(crate) struct C2bPayment {
    pub receipt: String,
    pub shortcode: String,
    pub phone: String,
    pub amount: u64,
    pub bill_ref: String,
    pub kind: &'static str,
}

/// Posts a C2B confirmation to the shortcode's registered URL (none registered: the payment
/// completes silently, as at Daraja). Returns whether a URL was registered.
pub(crate) fn confirm_c2b(sim: &DarajaSim, payment: &C2bPayment, delay: Duration) -> bool {
    let registration = sim.lock().registrations.get(&payment.shortcode).cloned();
    let Some(registration) = registration else {
        return false;
    };
    let msisdn = if registration.version == 1 {
        hex::encode(Sha256::digest(payment.phone.as_bytes()))
    } else {
        let tail = payment.phone.get(9..).unwrap_or("");
        format!("2547 ***** {tail}")
    };
    let mut body = serde_json::json!({
        "TransactionType": payment.kind,
        "TransID": payment.receipt,
        "TransTime": daraja_time(nairobi_now()),
        "TransAmount": format!("{}.00", payment.amount),
        "BusinessShortCode": payment.shortcode,
        "BillRefNumber": payment.bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": "",
        "ThirdPartyTransID": "",
        "MSISDN": msisdn,
        "FirstName": "SIM",
        "MiddleName": "",
        "LastName": "",
    });
    let validate = sim.config.external_validation;
    let sim = sim.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if validate {
            let answer = sim
                .deliver_for_answer(
                    "c2b_validation",
                    registration.validation_url.clone(),
                    body.to_string(),
                )
                .await;
            let accepted = match &answer {
                Some(answer) => match answer.get("ResultCode") {
                    Some(serde_json::Value::String(code)) => code == "0",
                    Some(serde_json::Value::Number(code)) => code.as_u64() == Some(0),
                    Some(_) | None => false,
                },
                None => registration.complete_on_failure,
            };
            if !accepted {
                tracing::info!(receipt = %body["TransID"], "daraja simulator: C2B payment rejected by validation");
                return;
            }
            if let Some(id) = answer
                .as_ref()
                .and_then(|a| a.get("ThirdPartyTransID"))
                .and_then(serde_json::Value::as_str)
            {
                body["ThirdPartyTransID"] = serde_json::Value::String(id.to_string());
            }
        }
        body["OrgAccountBalance"] = serde_json::Value::String("25.00".to_string());
        sim.deliver(
            "c2b_confirmation",
            registration.confirmation_url,
            body.to_string(),
        )
        .await;
    });
    true
}

/// The customer pays `shortcode` from their phone. Returns the receipt.
pub(crate) fn pay_from_phone(
    sim: &DarajaSim,
    shortcode: &str,
    phone: &str,
    amount: u64,
    bill_ref: &str,
) -> String {
    let receipt = new_receipt(sim);
    let till = sim
        .config
        .shortcodes
        .iter()
        .any(|s| s.tills.iter().any(|t| t == shortcode));
    sim.lock().receipts.insert(
        receipt.clone(),
        Receipt {
            amount,
            phone: phone.to_string(),
            shortcode: shortcode.to_string(),
            time: daraja_time(nairobi_now()),
            reversed: false,
        },
    );
    let payment = C2bPayment {
        receipt: receipt.clone(),
        shortcode: shortcode.to_string(),
        phone: phone.to_string(),
        amount,
        bill_ref: if till {
            String::new()
        } else {
            bill_ref.to_string()
        },
        kind: if till { "Buy Goods" } else { "Pay Bill" },
    };
    confirm_c2b(sim, &payment, Duration::ZERO);
    receipt
}

/// A PNG of a QR code holding `content`, about `size` pixels square.
pub(crate) fn draw_qr(content: &str, size: u32) -> Option<Vec<u8>> {
    let code = qrcode::QrCode::new(content.as_bytes()).ok()?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(size, size)
        .build();
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some(png)
}
