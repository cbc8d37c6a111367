//! Paying an invoice by its number, through the whole backend: Paybill (C2B) payments with the
//! invoice number typed as customers type it (any case, spaces, dashes), partial and over
//! payments taken or refused per the invoice's payment mode (exact / allow partial / allow
//! partial and over) with the rest waiting as unmatched receipts; and a BillPay control number
//! for a part-payable invoice: a part payment posts as a part, more than is due is refused by
//! ClickPesa (the number's cap).

use malipo_core::{
    Currency, Customer, InvoiceDraft, Money, PaymentMode, TargetRef, TargetStatus, TaxClass,
    Timestamp, UnmatchedReason, VatBreakdown,
};
use malipo_store::Store;

use crate::kes;
use crate::rig::{ledger_of, Options, Rig};

/// An issued invoice of `total` in `mode`; returns (id, number).
fn invoice(rig: &Rig, total: Money, mode: PaymentMode) -> (i64, String) {
    invoice_to(rig, total, mode, None)
}

/// An issued invoice to a customer with `email` (or no way to reach them).
fn invoice_to(rig: &Rig, total: Money, mode: PaymentMode, email: Option<&str>) -> (i64, String) {
    let mut store = rig.store.lock().unwrap();
    let draft = InvoiceDraft {
        customer: Customer {
            name: "Shule ya Upendo".into(),
            phone: None,
            email: email.map(str::to_owned),
        },
        currency: total.currency,
        lines: vec![],
        total,
        vat: VatBreakdown::from_gross(total.currency, [(TaxClass::Exempt, total)]).unwrap(),
        due_date: "2026-12-31".into(),
        payment_mode: mode,
    };
    let id = store.invoice_create_draft(&draft, Timestamp(5)).unwrap();
    let number = store.invoice_issue(id, "amina", Timestamp(5)).unwrap();
    (id, number)
}

fn payment_count(store: &Store) -> usize {
    ledger_of(store).len()
}

/// The customer pays the Paybill `shillings` with `reference`; waits until it is in the ledger.
async fn pay_paybill(rig: &Rig, shillings: u64, reference: &str) -> String {
    let before = payment_count(&rig.store.lock().unwrap());
    let receipt = rig.sim.pay("174379", "254708374149", shillings, reference);
    rig.until("the Paybill payment is in the ledger", |s| {
        payment_count(s) == before + 1 && s.inbox_list(Some("pending"), 10).unwrap().is_empty()
    })
    .await;
    receipt
}

/// (allocated to `target`, unmatched) of the payment with M-Pesa `receipt`.
fn split(rig: &Rig, receipt: &str, target: TargetRef) -> (Money, Option<(UnmatchedReason, Money)>) {
    let store = rig.store.lock().unwrap();
    let payment = store
        .payment_by_txn(malipo_core::Provider::Mpesa, receipt)
        .unwrap()
        .unwrap();
    let allocations = store.allocations_for(payment.id).unwrap();
    assert!(
        allocations.iter().all(|a| a.target == target),
        "{allocations:?}"
    );
    let allocated = allocations
        .iter()
        .fold(Money::zero(payment.amount.currency), |sum, a| {
            sum.checked_add(a.amount).unwrap()
        });
    let unmatched = store
        .unmatched_open(100)
        .unwrap()
        .into_iter()
        .find(|u| u.payment_id == payment.id)
        .map(|u| (u.reason, u.open_amount));
    (allocated, unmatched)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paybill_payments_to_an_invoice_number_follow_its_payment_mode() {
    let rig = Rig::start(Options::default()).await;
    let (exact, exact_no) = invoice(&rig, kes(100_000), PaymentMode::Exact);
    let (partial, partial_no) = invoice(&rig, kes(100_000), PaymentMode::AllowPartial);
    let (over, over_no) = invoice(&rig, kes(100_000), PaymentMode::AllowPartialAndOver);
    let balance = |id| {
        rig.store
            .lock()
            .unwrap()
            .balance(TargetRef::Invoice(id))
            .unwrap()
    };
    // As customers type it: lower case, spaces, no dash, extra dashes.
    let typed = |number: &str, how: usize| match how {
        0 => number.to_lowercase(),
        1 => format!(" {} ", number.replace('-', " ")),
        _ => number
            .replace('-', "")
            .chars()
            .flat_map(|c| [c, '-'])
            .collect(),
    };

    // Exact: a part payment is not taken; the exact amount is.
    let r = pay_paybill(&rig, 400, &typed(&exact_no, 0)).await;
    assert_eq!(
        split(&rig, &r, TargetRef::Invoice(exact)),
        (kes(0), Some((UnmatchedReason::AmountMismatch, kes(40_000))))
    );
    assert_eq!(balance(exact).balance, kes(100_000));
    let r = pay_paybill(&rig, 1_000, &typed(&exact_no, 1)).await;
    assert_eq!(
        split(&rig, &r, TargetRef::Invoice(exact)),
        (kes(100_000), None)
    );
    assert_eq!(balance(exact).balance, kes(0));
    assert_eq!(balance(exact).status, TargetStatus::Paid);

    // Allow partial: a part is taken; more than the rest leaves the excess unmatched.
    let r = pay_paybill(&rig, 400, &typed(&partial_no, 2)).await;
    assert_eq!(
        split(&rig, &r, TargetRef::Invoice(partial)),
        (kes(40_000), None)
    );
    assert_eq!(balance(partial).balance, kes(60_000));
    assert_eq!(balance(partial).status, TargetStatus::PartiallyPaid);
    let r = pay_paybill(&rig, 700, &typed(&partial_no, 0)).await;
    assert_eq!(
        split(&rig, &r, TargetRef::Invoice(partial)),
        (
            kes(60_000),
            Some((UnmatchedReason::OverPayment, kes(10_000)))
        )
    );
    assert_eq!(balance(partial).balance, kes(0));

    // Allow partial and over: all of it is taken, the invoice ends over-paid.
    let r = pay_paybill(&rig, 400, &typed(&over_no, 1)).await;
    assert_eq!(
        split(&rig, &r, TargetRef::Invoice(over)),
        (kes(40_000), None)
    );
    let r = pay_paybill(&rig, 700, &typed(&over_no, 2)).await;
    assert_eq!(
        split(&rig, &r, TargetRef::Invoice(over)),
        (kes(70_000), None)
    );
    assert_eq!(balance(over).balance, kes(-10_000));
    assert_eq!(balance(over).status, TargetStatus::OverPaid);

    let store = rig.store.lock().unwrap();
    assert_eq!(payment_count(&store), 6, "each payment once");
    let open = store.unmatched_open(100).unwrap();
    assert_eq!(
        open.len(),
        2,
        "only the refused part payment and the excess wait: {open:#?}"
    );
    drop(store);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_billpay_number_for_a_part_payable_invoice_takes_a_part_and_refuses_more_than_due() {
    let rig = Rig::start(Options::default()).await;
    let tzs = |minor| Money::from_minor(minor, Currency::Tzs);
    let (id, _, control) = billpay_invoice(&rig, 10_000, PaymentMode::AllowPartial, None).await;
    let balance = |id| {
        rig.store
            .lock()
            .unwrap()
            .balance(TargetRef::Invoice(id))
            .unwrap()
    };

    assert_ne!(
        pay_billpay(&rig, &control, 12_000).await,
        200,
        "more than the invoice is refused at ClickPesa (the number's cap)"
    );
    assert_eq!(
        pay_billpay(&rig, &control, 4_000).await,
        200,
        "a part payment is accepted"
    );
    until_payments(&rig, 1, "the part payment posts").await;
    let b = balance(id);
    assert_eq!(b.balance, tzs(600_000), "{b:?}");
    assert_eq!(b.status, TargetStatus::PartiallyPaid);
    let store = rig.store.lock().unwrap();
    let allocations = store
        .allocations_for_target(TargetRef::Invoice(id))
        .unwrap();
    assert_eq!(allocations.len(), 1);
    assert_eq!(allocations[0].amount, tzs(400_000));
    assert!(store.unmatched_open(10).unwrap().is_empty());
    assert_eq!(
        payment_count(&store),
        1,
        "the refused payment never reached the ledger"
    );
    drop(store);
    rig.check();
}

/// A TZS invoice of `shillings` to a customer with `email` (or none), issued, with its BillPay
/// control number: (invoice id, invoice number, control number).
async fn billpay_invoice(
    rig: &Rig,
    shillings: i64,
    mode: PaymentMode,
    email: Option<&str>,
) -> (i64, String, String) {
    let total = Money::from_minor(shillings * 100, Currency::Tzs);
    let (id, number) = invoice_to(rig, total, mode, email);
    let control = rig
        .engine
        .billpay_start(TargetRef::Invoice(id), total)
        .await
        .unwrap();
    assert_eq!(
        control.control_number,
        malipo_core::normalise_reference(&number)
    );
    (id, number, control.control_number)
}

/// Waits until `n` payments are in the ledger and nothing waits in the inbox.
async fn until_payments(rig: &Rig, n: usize, what: &str) {
    rig.until(what, |s| {
        payment_count(s) == n && s.inbox_list(Some("pending"), 10).unwrap().is_empty()
    })
    .await;
}

/// The customer pays `shillings` on BillPay number `number`; the simulator's HTTP status.
async fn pay_billpay(rig: &Rig, number: &str, shillings: i64) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/_sim/pay", rig.clickpesa_base))
        .json(&serde_json::json!({"billPayNumber": number, "amount": shillings, "phone": "255712345678"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_payable_invoice_gets_a_reusable_number_that_takes_every_part_until_paid() {
    let rig = Rig::start(Options::default()).await;
    let tzs = |minor| Money::from_minor(minor, Currency::Tzs);
    let (id, _, control) = billpay_invoice(
        &rig,
        10_000,
        PaymentMode::AllowPartial,
        Some("bursar@upendo.example"),
    )
    .await;
    // An order number would close after this first part (ClickPesa's rule); this one stays.
    assert_eq!(pay_billpay(&rig, &control, 4_000).await, 200);
    until_payments(&rig, 1, "the first part posts").await;
    assert_eq!(
        pay_billpay(&rig, &control, 6_000).await,
        200,
        "the same number takes the rest"
    );
    until_payments(&rig, 2, "the second part posts").await;
    let b = rig
        .store
        .lock()
        .unwrap()
        .balance(TargetRef::Invoice(id))
        .unwrap();
    assert_eq!(b.balance, tzs(0), "{b:?}");
    assert_eq!(b.status, TargetStatus::Paid);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_with_no_way_to_reach_its_customer_gets_an_order_number_closed_by_its_first_part(
) {
    let rig = Rig::start(Options::default()).await;
    let (_, _, control) = billpay_invoice(&rig, 10_000, PaymentMode::AllowPartial, None).await;
    assert_eq!(pay_billpay(&rig, &control, 4_000).await, 200);
    until_payments(&rig, 1, "the part posts").await;
    assert_ne!(
        pay_billpay(&rig, &control, 6_000).await,
        200,
        "ClickPesa closed the order number after its first payment"
    );
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_recurring_bill_keeps_its_number_even_in_exact_mode() {
    let rig = Rig::start(Options::default()).await;
    let tzs = |minor| Money::from_minor(minor, Currency::Tzs);
    let (id, _) = invoice_to(
        &rig,
        tzs(500_000),
        PaymentMode::Exact,
        Some("bursar@upendo.example"),
    );
    {
        let mut store = rig.store.lock().unwrap();
        let customer = store
            .customer_save(
                None,
                "Shule ya Upendo",
                None,
                Some("bursar@upendo.example"),
                "amina",
                Timestamp(6),
            )
            .unwrap();
        store
            .control_number_add(id, customer.id, "School fees", Timestamp(6))
            .unwrap();
    }
    let control = rig
        .engine
        .billpay_start(TargetRef::Invoice(id), tzs(500_000))
        .await
        .unwrap();
    assert_eq!(pay_billpay(&rig, &control.control_number, 5_000).await, 200);
    until_payments(&rig, 1, "this term's fees post").await;
    assert_eq!(
        pay_billpay(&rig, &control.control_number, 5_000).await,
        200,
        "next term is paid on the same number (an order number would be closed)"
    );
    until_payments(&rig, 2, "next term's payment reaches the ledger").await;
    rig.check();
}
