//! `Sensitive<T>` never shows its secret: not in `Debug`, `Display`, nor JSON.

use malipo_vault::{SecretName, Sensitive, VaultError};

const PASSKEY: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
const PAYSTACK_KEY: &str = "sk_test_4a9b1c2d3e4f5a6b7c8d9e0f";

/// What a provider configuration looks like once loaded: secrets beside plain settings.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct DarajaConfig {
    shortcode: String,
    consumer_key: Sensitive<String>,
    passkey: Sensitive<String>,
}

fn config() -> DarajaConfig {
    DarajaConfig {
        shortcode: "174379".to_owned(),
        consumer_key: Sensitive::new("GTWADFxIpUfDoNikNGqq1C3023evM6UH".to_owned()),
        passkey: Sensitive::new(PASSKEY.to_owned()),
    }
}

#[test]
fn debug_and_display_print_redacted() {
    let secret = Sensitive::new(PAYSTACK_KEY.to_owned());
    assert_eq!(format!("{secret:?}"), "<redacted>");
    assert_eq!(format!("{secret}"), "<redacted>");
    assert_eq!(format!("{secret:#?}"), "<redacted>", "pretty Debug too");
}

#[test]
fn config_debug_shows_settings_but_no_secret() {
    for shown in [format!("{:?}", config()), format!("{:#?}", config())] {
        assert!(
            !shown.contains(PASSKEY),
            "passkey leaked into Debug: {shown}"
        );
        assert!(
            !shown.contains("GTWADFx"),
            "consumer key leaked into Debug: {shown}"
        );
        assert!(
            shown.contains("174379"),
            "plain settings stay visible: {shown}"
        );
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}

#[test]
fn serialising_a_secret_fails() {
    let secret = Sensitive::new(PAYSTACK_KEY.to_owned());
    let result = serde_json::to_string(&secret);
    assert!(result.is_err(), "a secret must not serialise: {result:?}");
}

#[test]
fn serialising_a_struct_holding_a_secret_fails_without_echoing_it() {
    let err =
        serde_json::to_string(&config()).expect_err("a config with secrets must not serialise");
    let message = err.to_string();
    assert!(
        message.contains("refusing to serialise a secret"),
        "{message}"
    );
    assert!(!message.contains(PASSKEY), "{message}");
    assert!(
        serde_json::to_value(config()).is_err(),
        "to_value refuses too, so a secret cannot reach a Tauri event"
    );
}

#[test]
fn a_secret_can_arrive_from_the_ui_and_is_read_with_expose() {
    let json = format!(r#"{{"shortcode":"174379","consumer_key":"ck","passkey":"{PASSKEY}"}}"#);
    let config: DarajaConfig = serde_json::from_str(&json).expect("settings form JSON");
    assert_eq!(config.passkey.expose(), PASSKEY);
    assert_eq!(config.consumer_key.expose(), "ck");
}

#[test]
fn errors_never_carry_a_secret_and_say_what_to_do() {
    let key = super::key("duka-7", SecretName::DarajaPasskey);
    let missing = VaultError::Missing {
        shop_id: key.shop_id().to_owned(),
        name: key.name().as_str(),
    };
    assert_eq!(
        missing.to_string(),
        "no daraja.passkey is saved for shop duka-7; enter it in Settings"
    );
}
