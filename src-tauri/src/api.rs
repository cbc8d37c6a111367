//! What each IPC command does, as methods on [`Backend`] (no Tauri types, so tests call them
//! directly). Each one checks who may call it, calls the register or the engine, and converts
//! the result to the contract's DTO; no business rule lives here.

use base64::Engine as _;
use malipo_core::{Money, Phone, Timestamp};
use malipo_engine::register::{
    ClickPesaInput, DarajaInput, OptionsInput, PaystackInput, RelayInput, SettingsView, ShopInput,
};
use malipo_store::Role;
use malipo_training::StkAnswer;
use malipo_vault::Sensitive;

use crate::backend::{incoming_list, Backend, TILL_ID};
use crate::convert;
use crate::dto::{
    ApiError, AppInfoDto, AttemptViewDto, CardStartDto, CartViewDto, CashPaidDto, CatalogueItemDto,
    ClickPesaInputDto, DarajaInputDto, IncomingPaymentDto, OptionsInputDto, PaystackInputDto,
    QrShownDto, RelayInputDto, SaleViewDto, ShopInputDto, StatusViewDto, TillWaitDto, UserViewDto,
};

/// The phone the training customer pays from when the window does not say.
const TRAINING_PHONE: &str = "254712345678";

fn secret(value: Option<String>) -> Option<Sensitive<String>> {
    value.map(Sensitive::new)
}

fn not_training() -> ApiError {
    ApiError::new(
        "not_permitted",
        "The customer's phone exists only in training mode.",
    )
}

fn training_error(e: malipo_training::TrainingError) -> ApiError {
    tracing::warn!(error = %e, "training customer action refused");
    ApiError::new("invalid_input", e.to_string())
}

impl Backend {
    fn money(&self, minor: i64) -> Money {
        Money::from_minor(minor, self.currency)
    }

    fn user_dto(&self) -> Result<Option<UserViewDto>, ApiError> {
        Ok(self.register.current_user()?.as_ref().map(convert::user))
    }

    fn cashier(&self) -> Result<String, ApiError> {
        Ok(self.register.require_user()?)
    }

    fn manager(&self) -> Result<String, ApiError> {
        Ok(self.register.require_manager()?)
    }

    fn attempt_dto(&self, id: i64) -> Result<AttemptViewDto, ApiError> {
        let (row, stopped) = self.engine.attempt(id)?;
        Ok(convert::attempt(&row, stopped, self.engine.config()))
    }

    fn sale_dto(&self, sale_id: i64) -> Result<SaleViewDto, ApiError> {
        Ok(convert::sale(&self.register.sale(sale_id)?))
    }

    /// Tells every window the status changed (login, logout).
    pub(crate) fn status_changed(&self) {
        if let (Some(emit), Ok(status)) = (self.emit.as_ref(), self.status()) {
            if let Ok(json) = serde_json::to_value(status) {
                emit("status-changed", json);
            }
        }
    }

    // ----- session ---------------------------------------------------------------------------

    pub fn app_info(&self) -> Result<AppInfoDto, ApiError> {
        let settings = self.register.settings(self.vault.as_ref())?;
        let some = |s: String| (!s.is_empty()).then_some(s);
        Ok(AppInfoDto {
            version: env!("CARGO_PKG_VERSION").to_string(),
            training: self.training(),
            till_id: TILL_ID.to_string(),
            shop_name: settings.shop.name,
            currency: self.currency.code(),
            language: settings.shop.receipt_language,
            user: self.user_dto()?,
            paybill: some(settings.daraja.shortcode),
            till_number: some(settings.daraja.till_number),
        })
    }

    pub fn login(&self, name: &str, pin: &str) -> Result<UserViewDto, ApiError> {
        let user = convert::user(&self.register.login(name, pin)?);
        self.status_changed();
        Ok(user)
    }

    pub fn logout(&self) -> Result<(), ApiError> {
        self.register.logout()?;
        self.status_changed();
        Ok(())
    }

    pub fn manager_unlock(&self, pin: &str) -> Result<UserViewDto, ApiError> {
        Ok(convert::user(&self.register.manager_unlock(pin)?))
    }

    pub fn manager_lock(&self) -> Result<(), ApiError> {
        Ok(self.register.manager_lock()?)
    }

    pub fn status(&self) -> Result<StatusViewDto, ApiError> {
        let relay = convert::relay_status(&self.sync_status.borrow());
        let printer = self
            .register
            .settings(self.vault.as_ref())?
            .options
            .printer_kind;
        Ok(convert::status(
            relay,
            &printer,
            self.user_dto()?,
            self.training(),
        ))
    }

    // ----- catalogue and cart ----------------------------------------------------------------

    pub fn list_catalogue(&self) -> Result<Vec<CatalogueItemDto>, ApiError> {
        let items = self.till.store()?.catalogue_list()?;
        Ok(items.iter().map(convert::item).collect())
    }

    pub fn cart_get(&self) -> Result<CartViewDto, ApiError> {
        Ok(convert::cart(&self.register.cart()?))
    }

    pub fn cart_add(&self, code: &str, qty: i64) -> Result<CartViewDto, ApiError> {
        self.cashier()?;
        Ok(convert::cart(&self.register.cart_add(code, qty)?))
    }

    pub fn cart_set_qty(&self, line_id: i64, qty: i64) -> Result<CartViewDto, ApiError> {
        self.cashier()?;
        Ok(convert::cart(&self.register.cart_set_qty(line_id, qty)?))
    }

    pub fn cart_discount(
        &self,
        line_id: Option<i64>,
        amount_minor: i64,
    ) -> Result<CartViewDto, ApiError> {
        self.cashier()?;
        let amount = self.money(amount_minor);
        Ok(convert::cart(
            &self.register.cart_discount(line_id, amount)?,
        ))
    }

    pub fn cart_hold(&self, label: &str) -> Result<CartViewDto, ApiError> {
        self.cashier()?;
        Ok(convert::cart(&self.register.cart_hold(label)?))
    }

    pub fn cart_recall(&self, cart_id: &str) -> Result<CartViewDto, ApiError> {
        self.cashier()?;
        let id = cart_id
            .parse()
            .map_err(|_| ApiError::new("invalid_input", "That held cart does not exist."))?;
        Ok(convert::cart(&self.register.cart_recall(id)?))
    }

    pub fn cart_clear(&self) -> Result<CartViewDto, ApiError> {
        self.cashier()?;
        Ok(convert::cart(&self.register.cart_clear()?))
    }

    // ----- sale and tenders ------------------------------------------------------------------

    pub fn checkout(&self) -> Result<SaleViewDto, ApiError> {
        let cashier = self.cashier()?;
        Ok(convert::sale(&self.register.checkout(&cashier)?))
    }

    pub fn sale_current(&self) -> Result<Option<SaleViewDto>, ApiError> {
        Ok(self.register.sale_current()?.as_ref().map(convert::sale))
    }

    pub fn sale_cancel(&self, sale_id: i64) -> Result<CartViewDto, ApiError> {
        let cashier = self.cashier()?;
        Ok(convert::cart(&self.register.sale_cancel(
            sale_id,
            &cashier,
            |attempt_id| self.engine.is_stopped(attempt_id),
        )?))
    }

    pub fn sale_new(&self) -> Result<CartViewDto, ApiError> {
        self.cashier()?;
        Ok(convert::cart(&self.register.sale_new()?))
    }

    pub fn pay_cash(
        &self,
        sale_id: i64,
        amount_minor: i64,
        tendered_minor: i64,
    ) -> Result<CashPaidDto, ApiError> {
        let cashier = self.cashier()?;
        let paid = self.engine.pay_cash(
            sale_id,
            self.money(amount_minor),
            self.money(tendered_minor),
            &cashier,
        )?;
        Ok(CashPaidDto {
            sale: self.sale_dto(sale_id)?,
            change: convert::money(paid.change),
        })
    }

    pub async fn stk_start(
        &self,
        sale_id: i64,
        phone: &str,
        amount_minor: i64,
    ) -> Result<AttemptViewDto, ApiError> {
        self.cashier()?;
        let row = self
            .engine
            .stk_start(sale_id, phone, self.money(amount_minor))
            .await?;
        self.attempt_dto(row.id)
    }

    pub fn attempt_stop_waiting(&self, attempt_id: i64) -> Result<AttemptViewDto, ApiError> {
        self.cashier()?;
        let row = self.engine.stop_waiting(attempt_id)?;
        self.attempt_dto(row.id)
    }

    pub fn attempts_pending(&self) -> Result<Vec<AttemptViewDto>, ApiError> {
        let rows = self.till.store()?.attempts_pending(Timestamp(i64::MAX))?;
        let mut out: Vec<AttemptViewDto> = rows
            .iter()
            .map(|row| {
                let (_, stopped) = self.engine.attempt(row.id)?;
                Ok(convert::attempt(row, stopped, self.engine.config()))
            })
            .collect::<Result<_, ApiError>>()?;
        out.sort_by_key(|a| std::cmp::Reverse((a.started_ms, a.attempt_id)));
        Ok(out)
    }

    pub async fn qr_start(&self, sale_id: i64, amount_minor: i64) -> Result<QrShownDto, ApiError> {
        self.cashier()?;
        let shown = self
            .engine
            .qr_start(sale_id, self.money(amount_minor))
            .await?;
        Ok(QrShownDto {
            attempt: self.attempt_dto(shown.attempt.id)?,
            qr_png_base64: base64::engine::general_purpose::STANDARD.encode(&shown.png),
        })
    }

    pub fn till_wait(&self, sale_id: i64, amount_minor: i64) -> Result<TillWaitDto, ApiError> {
        self.cashier()?;
        let wait = self.engine.till_wait(sale_id, self.money(amount_minor))?;
        let settings = self.register.settings(self.vault.as_ref())?;
        let shown = |s: String| (!s.is_empty()).then_some(s);
        Ok(TillWaitDto {
            paybill: wait.paybill.or_else(|| shown(settings.daraja.shortcode)),
            till_number: wait
                .till_number
                .or_else(|| shown(settings.daraja.till_number)),
            account_reference: wait.account_reference,
            window_ends_ms: wait.window_ends.millis(),
        })
    }

    pub async fn card_start(
        &self,
        sale_id: i64,
        amount_minor: i64,
        email: Option<&str>,
    ) -> Result<CardStartDto, ApiError> {
        self.cashier()?;
        let started = self
            .engine
            .card_start(sale_id, self.money(amount_minor), email)
            .await?;
        let simulator_url = self.rig.as_ref().map(|rig| {
            format!(
                // `embed=1`: the simulator's page then tells the register (postMessage) that
                // the card was paid or the window closed, as docs/ipc.md says.
                "{}/checkout/{}?embed=1",
                rig.endpoints().paystack_url,
                started.access_code
            )
        });
        Ok(CardStartDto {
            attempt: self.attempt_dto(started.attempt.id)?,
            access_code: started.access_code,
            reference: started.reference,
            popup: if simulator_url.is_some() {
                "simulator"
            } else {
                "paystack"
            },
            simulator_url,
        })
    }

    pub async fn card_finish(
        &self,
        attempt_id: i64,
        reference: &str,
    ) -> Result<AttemptViewDto, ApiError> {
        self.cashier()?;
        let (row, _) = self.engine.attempt(attempt_id)?;
        if row.provider_ref.as_deref() != Some(reference) {
            return Err(ApiError::new(
                "invalid_input",
                "That card payment belongs to another sale.",
            ));
        }
        let row = self.engine.card_finish(attempt_id).await?;
        self.attempt_dto(row.id)
    }

    pub fn card_cancelled(&self, attempt_id: i64) -> Result<AttemptViewDto, ApiError> {
        self.cashier()?;
        let row = self.engine.card_cancelled(attempt_id)?;
        self.attempt_dto(row.id)
    }

    pub fn incoming_list(&self) -> Result<Vec<IncomingPaymentDto>, ApiError> {
        Ok(incoming_list(&self.engine)?)
    }

    pub fn incoming_claim(&self, unmatched_id: i64, sale_id: i64) -> Result<SaleViewDto, ApiError> {
        let cashier = self.cashier()?;
        self.engine.claim(unmatched_id, sale_id, &cashier)?;
        self.sale_dto(sale_id)
    }

    /// Whether refunds are allowed (any logged-in user may ask, to show or hide the button;
    /// the engine refuses refunds itself when they are off).
    pub fn refunds_enabled(&self) -> Result<bool, ApiError> {
        self.cashier()?;
        Ok(self.engine.refunds_enabled()?)
    }

    pub fn receipt_print(&self, sale_id: i64) -> Result<(), ApiError> {
        self.cashier()?;
        self.register.sale(sale_id)?;
        let data_dir = self
            .till
            .db_path()
            .parent()
            .unwrap_or(std::path::Path::new("."));
        crate::printing::print_sale(&self.engine, &self.till.shared(), data_dir, sale_id)?;
        Ok(())
    }

    // ----- settings (manager only) -------------------------------------------------------------

    pub fn settings_get(&self) -> Result<SettingsView, ApiError> {
        self.manager()?;
        Ok(self.register.settings(self.vault.as_ref())?)
    }

    pub fn settings_save_shop(&self, input: ShopInputDto) -> Result<SettingsView, ApiError> {
        let manager = self.manager()?;
        self.register.save_shop(
            &ShopInput {
                name: input.name,
                address: input.address,
                kra_pin: input.kra_pin,
                phone: input.phone,
                receipt_language: input.receipt_language,
            },
            &manager,
        )?;
        self.settings_get()
    }

    pub fn settings_save_daraja(&self, input: DarajaInputDto) -> Result<SettingsView, ApiError> {
        let manager = self.manager()?;
        let input = DarajaInput {
            environment: input.environment,
            shortcode: input.shortcode,
            till_number: input.till_number,
            initiator: input.initiator,
            consumer_key: secret(input.consumer_key),
            consumer_secret: secret(input.consumer_secret),
            passkey: secret(input.passkey),
            initiator_password: secret(input.initiator_password),
            certificate_pem: input.certificate_pem,
        };
        self.register
            .save_daraja(self.vault.as_ref(), &input, &manager)?;
        self.settings_get()
    }

    pub fn settings_save_paystack(
        &self,
        input: PaystackInputDto,
    ) -> Result<SettingsView, ApiError> {
        let manager = self.manager()?;
        let input = PaystackInput {
            public_key: input.public_key,
            secret_key: secret(input.secret_key),
        };
        self.register
            .save_paystack(self.vault.as_ref(), &input, &manager)?;
        self.settings_get()
    }

    pub fn settings_save_clickpesa(
        &self,
        input: ClickPesaInputDto,
    ) -> Result<SettingsView, ApiError> {
        let manager = self.manager()?;
        let input = ClickPesaInput {
            client_id: input.client_id,
            api_key: secret(input.api_key),
            checksum_key: secret(input.checksum_key),
        };
        self.register
            .save_clickpesa(self.vault.as_ref(), &input, &manager)?;
        self.settings_get()
    }

    pub fn settings_save_relay(&self, input: RelayInputDto) -> Result<SettingsView, ApiError> {
        let manager = self.manager()?;
        let input = RelayInput {
            url: input.url,
            device_token: secret(input.device_token),
        };
        self.register
            .save_relay(self.vault.as_ref(), &input, &manager)?;
        self.settings_get()
    }

    pub fn settings_save_options(&self, input: OptionsInputDto) -> Result<SettingsView, ApiError> {
        let manager = self.manager()?;
        self.register.save_options(
            &OptionsInput {
                refunds_enabled: input.refunds_enabled,
                receipt_email: input.receipt_email,
                receipt_sms: input.receipt_sms,
                printer_kind: input.printer_kind,
                printer_address: input.printer_address,
                printer_width: input.printer_width,
            },
            &manager,
        )?;
        self.settings_get()
    }

    pub fn user_save(
        &self,
        name: &str,
        role: &str,
        pin: Option<&str>,
        language: &str,
    ) -> Result<(), ApiError> {
        let manager = self.manager()?;
        let role = match role {
            "cashier" => Role::Cashier,
            "manager" => Role::Manager,
            _ => {
                return Err(ApiError::new(
                    "invalid_input",
                    "A user is a cashier or a manager.",
                ))
            }
        };
        Ok(self
            .register
            .user_save(name, role, pin, language, &manager)?)
    }

    // ----- training ----------------------------------------------------------------------------

    pub async fn training_customer(
        &self,
        action: &str,
        attempt_id: Option<i64>,
        phone: Option<&str>,
        amount_minor: Option<i64>,
        account_reference: Option<&str>,
    ) -> Result<(), ApiError> {
        let rig = self.rig.as_ref().ok_or_else(not_training)?;
        let customer = rig.customer();
        let phone = Phone::parse(phone.unwrap_or(TRAINING_PHONE))
            .map_err(|e| ApiError::new("invalid_phone", e.to_string()))?;
        let provider_ref = match attempt_id {
            Some(id) => self.engine.attempt(id)?.0.provider_ref,
            None => None,
        };
        let amount = || {
            amount_minor
                .map(|m| self.money(m))
                .ok_or_else(|| ApiError::new("invalid_amount", "Say how much the customer pays."))
        };
        let answer = |a| async move {
            customer
                .answer_stk(provider_ref.as_deref(), a)
                .await
                .map(|_| ())
                .map_err(training_error)
        };
        match action {
            "approve" => answer(StkAnswer::Approve).await,
            "cancel" => answer(StkAnswer::Cancel).await,
            "wrong_pin" => answer(StkAnswer::WrongPin).await,
            "no_answer" => answer(StkAnswer::NoAnswer).await,
            "pay_paybill" => {
                let reference = account_reference.ok_or_else(|| {
                    ApiError::new(
                        "invalid_input",
                        "Say which account number the customer types.",
                    )
                })?;
                rig.customer()
                    .pay_paybill(reference, &phone, amount()?)
                    .map(|_| ())
                    .map_err(training_error)
            }
            "pay_till" => rig
                .customer()
                .pay_till(&phone, amount()?)
                .map(|_| ())
                .map_err(training_error),
            "scan_qr" => {
                let reference = match attempt_id {
                    Some(id) => self.engine.attempt(id)?.0.account_reference,
                    None => None,
                };
                rig.customer()
                    .scan_qr(&phone, reference.as_deref())
                    .map(|_| ())
                    .map_err(training_error)
            }
            _ => Err(ApiError::new("invalid_input", "Unknown customer action.")),
        }
    }
}
