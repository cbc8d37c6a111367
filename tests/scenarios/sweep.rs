//! The missed-confirmation sweep: Daraja validated a customer's Paybill payment with the shop
//! but its confirmation never reached the till. Without anyone typing the receipt in, the
//! engine's background loop notices the validation with no payment behind it, asks M-Pesa
//! for the transaction's status, and the answer posts the money to the sale — once.

use malipo_core::SaleStatus;

use crate::kes;
use crate::rig::{ledger_of, Options, Rig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validated_payment_whose_confirmation_was_lost_is_found_by_the_sweep_and_posted() {
    let rig = Rig::start(Options {
        c2b_validation: true,
        lose_c2b_confirmation: true,
        sweep_ms: Some((200, 500)),
        ..Options::default()
    })
    .await;
    let sale = rig.sale(14_000);
    let receipt = rig.sim.pay("174379", "254708374149", 140, &sale.number);
    rig.until("the validation reached the till", |s| {
        s.inbox_list(None, 50)
            .unwrap()
            .iter()
            .any(|e| e.kind == "c2b-validate")
    })
    .await;
    rig.until(
        "the sweep's status query posts the payment to the sale",
        |s| s.sale_get(sale.id).unwrap().status == SaleStatus::Completed,
    )
    .await;
    let store = rig.store.lock().unwrap();
    let rows = ledger_of(&store);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].provider_txn_id.as_deref(), Some(receipt.as_str()));
    assert_eq!(rows[0].amount, kes(14_000));
    assert!(
        store
            .inbox_list(None, 50)
            .unwrap()
            .iter()
            .all(|e| e.kind != "c2b-confirm"),
        "the confirmation itself never came: the status result posted it"
    );
    drop(store);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_payment_is_never_asked_about() {
    let rig = Rig::start(Options {
        c2b_validation: true,
        sweep_ms: Some((100, 100)),
        ..Options::default()
    })
    .await;
    let sale = rig.sale(6_000);
    rig.sim.pay("174379", "254708374149", 60, &sale.number);
    rig.until(
        "the sale is paid by its confirmation, after its validation",
        |s| {
            s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
                && s.inbox_list(None, 50)
                    .unwrap()
                    .iter()
                    .any(|e| e.kind == "c2b-validate")
        },
    )
    .await;
    // Several sweeps later, nothing was asked: the simulator saw no status query.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let asked = rig
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.contains("transactionstatus"))
        .count();
    assert_eq!(asked, 0);
    rig.check();
}
