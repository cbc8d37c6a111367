//! The whole backend on loopback for a scenario: the Daraja simulator, the relay (real SQLite
//! file), the till's sync client, the engine, and the till's store on a real file.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_core::{Cart, Catalogue, Currency, Money, SaleDraft, TargetRef, Timestamp};
use malipo_engine::{ClickPesaSetup, Engine, EngineConfig, PaystackSetup};
use malipo_providers::daraja::{DarajaClient, DarajaConfig, Environment};
use malipo_relay::admin::{create_device, create_shop};
use malipo_relay::{run, system_clock, AppState, EventKind, RelayConfig, SqliteStore};
use malipo_sim::daraja::{CustomerAction, CustomerScript, DarajaSim, SimConfig};
use malipo_store::{AttemptRow, NewSale, Payment, PaymentFilter, SaleRow, Store};
use malipo_sync::{SyncClient, SyncConfig};
use malipo_vault::Sensitive;

pub const WAIT: Duration = Duration::from_secs(30);
pub const PAYSTACK_SECRET: &str = "sk_test_scenarios_0123456789abcdef";

pub struct Rig {
    pub dir: tempfile::TempDir,
    pub sim: DarajaSim,
    pub paystack: malipo_sim::paystack::PaystackSim,
    pub paystack_base: String,
    pub clickpesa_base: String,
    pub store: Arc<Mutex<Store>>,
    pub engine: Engine,
    pub callback_urls: Vec<(EventKind, String)>,
    /// The engine's way to Daraja, when [`Options::daraja_link`] asked for one.
    pub daraja_link: Option<Arc<Link>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Rig {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Options a scenario may change.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Give Daraja a callback URL nobody listens on: the callback is lost.
    pub lose_stk_callback: bool,
    /// Shorter STK query schedule (ms between queries, number of queries).
    pub query_every_ms: Option<u64>,
    pub max_queries: Option<u32>,
    /// Leave the C2B URLs unregistered: an STK payment then has no C2B twin.
    pub no_c2b: bool,
    /// The receipt senders (email/SMS) the engine's background loop uses.
    pub receipts: Option<Arc<malipo_notify::Outbox>>,
    /// Past the STK window, how many more queries (with backoff) when Daraja cannot be reached.
    pub resolver_retries: Option<u32>,
    /// The engine reaches Daraja through a [`Link`] the scenario can cut ([`Rig::daraja_link`]).
    pub daraja_link: bool,
    /// Daraja asks the shop (the relay) to validate each C2B payment before confirming it.
    pub c2b_validation: bool,
    /// C2B confirmations are lost (the confirmation URL is one nobody listens on).
    pub lose_c2b_confirmation: bool,
    /// The missed-confirmation sweep's period and delay (ms), instead of 30 s and 2 min.
    pub sweep_ms: Option<(u64, u64)>,
}

fn url_of(urls: &[(EventKind, String)], kind: EventKind) -> String {
    urls.iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, u)| u.clone())
        .unwrap()
}

impl Rig {
    pub async fn start(options: Options) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let mut tasks = Vec::new();

        let sim = DarajaSim::new(SimConfig {
            check_timestamp_clock: false,
            external_validation: options.c2b_validation,
            ..SimConfig::default()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim_base = format!("http://{}", listener.local_addr().unwrap());
        let served = sim.clone();
        tasks.push(tokio::spawn(async move {
            let _ = malipo_sim::daraja::run(listener, served, std::future::pending()).await;
        }));

        let paystack =
            malipo_sim::paystack::PaystackSim::new(malipo_sim::paystack::PaystackSimConfig {
                secret_key: PAYSTACK_SECRET.to_owned(),
                webhooks: malipo_sim::paystack::WebhookScript::default(),
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let paystack_base = format!("http://{}", listener.local_addr().unwrap());
        let served = paystack.clone();
        tasks.push(tokio::spawn(async move {
            let _ = malipo_sim::paystack::run(listener, served, std::future::pending()).await;
        }));

        let clickpesa =
            malipo_sim::clickpesa::ClickPesaSim::new(malipo_sim::clickpesa::ClickPesaSimConfig {
                client_id: "sim-client".to_owned(),
                api_key: "sim-clickpesa-key".to_owned(),
                checksum_key: Some("sim-checksum-key".to_owned()),
                webhook_url: None,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let clickpesa_base = format!("http://{}", listener.local_addr().unwrap());
        let served = clickpesa.clone();
        tasks.push(tokio::spawn(async move {
            let _ = malipo_sim::clickpesa::run(listener, served, std::future::pending()).await;
        }));

        let relay_store = Arc::new(SqliteStore::open(&dir.path().join("relay.sqlite")).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay_base = format!("http://{}", listener.local_addr().unwrap());
        let shop = create_shop(relay_store.as_ref(), "Duka", &relay_base, 0).unwrap();
        let till = create_device(relay_store.as_ref(), shop.id, "till", 0).unwrap();
        let state = AppState::new(relay_store, system_clock(), RelayConfig::default());
        tasks.push(tokio::spawn(async move {
            let _ = run(listener, state, std::future::pending()).await;
        }));

        let store = Arc::new(Mutex::new(
            Store::open(&dir.path().join("till.sqlite")).unwrap(),
        ));
        let mut sync_config = SyncConfig::new(
            relay_base.clone(),
            Sensitive::new(till.token.expose().to_owned()),
        );
        sync_config.backoff_initial = Duration::from_millis(50);
        let sync = Arc::new(SyncClient::new(sync_config).unwrap());
        let signal = sync.stored_signal();
        {
            let (sync, store) = (sync.clone(), store.clone());
            tasks.push(tokio::spawn(async move {
                sync.run(store, std::future::pending()).await;
            }));
        }

        paystack.set_webhooks(malipo_sim::paystack::WebhookScript {
            url: Some(url_of(&shop.callback_urls, EventKind::Paystack)),
            ..Default::default()
        });
        clickpesa.set_webhook_url(Some(url_of(&shop.callback_urls, EventKind::ClickPesa)));
        let mut daraja = DarajaConfig::new(
            Environment::Simulator {
                base_url: sim_base.parse().unwrap(),
            },
            Sensitive::new("sim-consumer-key".to_owned()),
            Sensitive::new("sim-consumer-secret".to_owned()),
            "174379",
            Sensitive::new(SimConfig::default().shortcodes[0].passkey.clone()),
        );
        daraja.initiator_name = Some("testapi".to_owned());
        daraja.initiator_password = Some(Sensitive::new("Safaricom999!*!".to_owned()));
        daraja.certificate = Some(include_bytes!("fixtures/test-apicrypt.pem").to_vec());
        let client = DarajaClient::new(daraja.clone()).unwrap();
        let confirm_url = if options.lose_c2b_confirmation {
            "http://127.0.0.1:9/lost".to_owned()
        } else {
            url_of(&shop.callback_urls, EventKind::C2bConfirm)
        };
        if !options.no_c2b {
            client
                .register_c2b_urls(
                    &confirm_url,
                    &url_of(&shop.callback_urls, EventKind::C2bValidate),
                    true,
                )
                .await
                .unwrap();
        }
        // The shop's till (Buy Goods 600200 under store number 600100) reports to the relay too.
        let mut store_number = daraja.clone();
        store_number.shortcode = "600100".to_owned();
        store_number.till_number = Some("600200".to_owned());
        DarajaClient::new(store_number)
            .unwrap()
            .register_c2b_urls(
                &url_of(&shop.callback_urls, EventKind::C2bConfirm),
                &url_of(&shop.callback_urls, EventKind::C2bValidate),
                true,
            )
            .await
            .unwrap();
        let mut config = EngineConfig::new("Duka la Mama", Currency::Kes);
        let daraja_link = if options.daraja_link {
            let (link, base, task) = Link::start(&sim_base).await;
            tasks.push(task);
            daraja.environment = Environment::Simulator {
                base_url: base.parse().unwrap(),
            };
            Some(link)
        } else {
            None
        };
        config.daraja = Some(daraja);
        config.stk_callback_url = Some(if options.lose_stk_callback {
            "http://127.0.0.1:9/lost".to_owned()
        } else {
            url_of(&shop.callback_urls, EventKind::Stk)
        });
        config.paystack = Some(PaystackSetup {
            base_url: paystack_base.clone(),
            secret_key: Sensitive::new(PAYSTACK_SECRET.to_owned()),
            public_key: "pk_test_scenarios".to_owned(),
        });
        config.clickpesa = Some(ClickPesaSetup {
            base_url: format!("{clickpesa_base}/third-parties"),
            client_id: "sim-client".to_owned(),
            api_key: Sensitive::new("sim-clickpesa-key".to_owned()),
            checksum_key: Some(Sensitive::new("sim-checksum-key".to_owned())),
        });
        config.result_url = Some(url_of(&shop.callback_urls, EventKind::ReversalResult));
        config.timeout_url = Some(url_of(&shop.callback_urls, EventKind::Timeout));
        if let Some(ms) = options.query_every_ms {
            config.stk_query_every = Duration::from_millis(ms);
        }
        config.receipts = options.receipts.clone();
        if let Some(n) = options.max_queries {
            config.stk_max_queries = n;
        }
        if let Some(n) = options.resolver_retries {
            config.resolver_retries = n;
        }
        if let Some((every, after)) = options.sweep_ms {
            config.sweep_every = Duration::from_millis(every);
            config.missed_after = Duration::from_millis(after);
        }
        let engine = Engine::new(store.clone(), config).unwrap();
        {
            let engine = engine.clone();
            tasks.push(tokio::spawn(async move {
                engine.run(signal, std::future::pending()).await;
            }));
        }
        Rig {
            dir,
            sim,
            paystack,
            paystack_base,
            clickpesa_base,
            store,
            engine,
            callback_urls: shop.callback_urls,
            daraja_link,
            tasks,
        }
    }

    /// The customer's phone answers the next STK prompt with `action` after `delay_ms`
    /// (sending its callback twice when `duplicate`).
    pub fn script(&self, action: CustomerAction, delay_ms: u64, duplicate: bool) {
        self.sim.script(
            None,
            CustomerScript {
                action,
                delay_ms,
                duplicate,
            },
        );
    }

    /// Every payment in the ledger, newest first.
    pub fn ledger(&self) -> Vec<Payment> {
        ledger_of(&self.store.lock().unwrap())
    }

    /// Asks the test customer's phone (0708374149) for `minor` KES cents on the sale.
    pub async fn stk(&self, sale: i64, minor: i64) -> AttemptRow {
        self.engine
            .stk_start(sale, "0708374149", Money::from_minor(minor, Currency::Kes))
            .await
            .unwrap()
    }

    /// The customer pays the Paystack checkout `access_code` with the simulator's test card.
    pub async fn card_pays(&self, access_code: &str) {
        let paid = reqwest::Client::new()
            .post(format!("{}/checkout/{access_code}/pay", self.paystack_base))
            .json(&serde_json::json!({"card": "4084084084084081"}))
            .send()
            .await
            .unwrap();
        assert_eq!(paid.status().as_u16(), 200);
    }

    /// Rings up a sale of `minor` KES cents (one line).
    pub fn sale(&self, minor: i64) -> SaleRow {
        sale_in(&mut self.store.lock().unwrap(), minor)
    }

    pub fn balance(&self, sale: i64) -> Money {
        self.store
            .lock()
            .unwrap()
            .balance(TargetRef::Sale(sale))
            .unwrap()
            .balance
    }

    /// The relay URL a provider posts events of `kind` to.
    pub fn url(&self, kind: EventKind) -> String {
        url_of(&self.callback_urls, kind)
    }

    /// Every ledger invariant holds (`Store::check` recomputes them all). Every scenario ends
    /// with it.
    pub fn check(&self) {
        let problems = self.store.lock().unwrap().check().unwrap();
        assert!(
            problems.is_empty(),
            "ledger invariants broken: {problems:#?}"
        );
    }

    /// Waits until `done` holds for the store.
    pub async fn until(&self, what: &str, done: impl Fn(&Store) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if done(&self.store.lock().unwrap()) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                let store = self.store.lock().unwrap();
                let inbox: Vec<_> = store
                    .inbox_list(None, 100)
                    .unwrap()
                    .into_iter()
                    .map(|e| (e.kind, e.outcome, e.detail))
                    .collect();
                panic!("timed out waiting: {what}; inbox: {inbox:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Waits until `done` holds (for what the store cannot see, such as a simulator's log).
/// Every payment in `store`'s ledger, newest first.
pub fn ledger_of(store: &Store) -> Vec<Payment> {
    store
        .payments_page(&PaymentFilter::default(), 1000, None)
        .unwrap()
        .rows
}

pub async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Rings up a sale of `minor` KES cents (one line) in `store`.
pub fn sale_in(store: &mut Store, minor: i64) -> SaleRow {
    sale_in_currency(store, minor, Currency::Kes)
}

/// Rings up a sale of `minor` in `currency` (one line) in `store`.
pub fn sale_in_currency(store: &mut Store, minor: i64, currency: Currency) -> SaleRow {
    let code = currency.code();
    let catalogue = Catalogue::from_json(&format!(
        r#"{{"currency":"{code}","items":[{{"sku":"X","barcode":null,"name":"Thing","price":{{"minor":{minor},"currency":"{code}"}},"tax_class":"standard"}}]}}"#
    ))
    .unwrap();
    let mut cart = Cart::new(currency);
    cart.add(&catalogue, "X", 1).unwrap();
    let draft = SaleDraft::from_cart(&cart).unwrap();
    store
        .sale_create(
            &NewSale {
                till_prefix: "T1",
                cashier: "wanjiku",
                draft: &draft,
                cart_id: None,
            },
            Timestamp(1),
        )
        .unwrap()
}

/// A TCP link to a server that the scenario can cut and restore: while down, every connection
/// (open or new) is dropped, as when the till's internet goes away; each refused connection is
/// noted with its time.
pub struct Link {
    up: tokio::sync::watch::Sender<bool>,
    refused: Mutex<Vec<tokio::time::Instant>>,
}

impl Link {
    /// A link to `target` (`http://host:port`); returns it, its own base URL, and its task.
    pub async fn start(target: &str) -> (Arc<Link>, String, tokio::task::JoinHandle<()>) {
        let target = target.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let link = Arc::new(Link {
            up: tokio::sync::watch::channel(true).0,
            refused: Mutex::new(Vec::new()),
        });
        let served = link.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut up = served.up.subscribe();
                if !*up.borrow_and_update() {
                    served
                        .refused
                        .lock()
                        .unwrap()
                        .push(tokio::time::Instant::now());
                    continue; // dropped: the client sees the connection closed
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = up.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        (link, base, task)
    }

    /// Cuts (`false`) or restores (`true`) the link.
    pub fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }

    /// When each connection refused while the link was down was tried.
    pub fn refused(&self) -> Vec<tokio::time::Instant> {
        self.refused.lock().unwrap().clone()
    }
}
