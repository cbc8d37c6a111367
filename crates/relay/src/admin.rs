//! Registering shops and till devices: what the binary's `shop-create` and `till-create`
//! subcommands do.
//!
//! A token is shown exactly once, in the returned value; the store keeps only its hash.

use crate::kind::{forbidden_word, EventKind};
use crate::store::{DeviceId, EventStore, ShopId, StoreError};
use crate::token::{RandomnessUnavailable, Token};

/// Why registering failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Randomness(#[from] RandomnessUnavailable),
    /// Safaricom would refuse callback URLs under this base.
    #[error("the public URL contains {0:?}, which Safaricom rejects in callback URLs")]
    ForbiddenWord(&'static str),
    /// The public URL is not an absolute http(s) URL.
    #[error("the public URL must start with https:// (or http:// for loopback tests)")]
    NotAbsolute,
}

/// A newly registered shop: its endpoint token and the callback URL for each kind.
#[derive(Debug)]
pub struct NewShop {
    pub id: ShopId,
    pub endpoint_token: Token,
    /// One URL per [`EventKind`], in [`EventKind::ALL`] order.
    pub callback_urls: Vec<(EventKind, String)>,
}

/// A newly registered till device and its token.
#[derive(Debug)]
pub struct NewDevice {
    pub id: DeviceId,
    pub shop: ShopId,
    pub token: Token,
}

/// The callback URL of `kind` for a shop reached at `endpoint_token` under `public_base`.
pub fn callback_url(public_base: &str, endpoint_token: &Token, kind: EventKind) -> String {
    format!(
        "{}/h/{}/{}",
        public_base.trim_end_matches('/'),
        endpoint_token.expose(),
        kind.as_str()
    )
}

/// Registers a shop whose providers will post to URLs under `public_base`.
pub fn create_shop(
    store: &dyn EventStore,
    name: &str,
    public_base: &str,
    now_ms: i64,
) -> Result<NewShop, AdminError> {
    check_public_base(public_base)?;
    let endpoint_token = Token::generate()?;
    let id = store.create_shop(name, &endpoint_token.hash(), now_ms)?;
    Ok(NewShop {
        id,
        callback_urls: urls(public_base, &endpoint_token),
        endpoint_token,
    })
}

/// Gives `shop` a new endpoint token (the old one leaked, or staff left): the old URLs stop
/// working at once, queued events stay. Paste the new URLs into each provider.
pub fn rotate_shop_endpoint(
    store: &dyn EventStore,
    shop: ShopId,
    public_base: &str,
) -> Result<NewShop, AdminError> {
    check_public_base(public_base)?;
    let endpoint_token = Token::generate()?;
    store.rotate_endpoint(shop, &endpoint_token.hash())?;
    Ok(NewShop {
        id: shop,
        callback_urls: urls(public_base, &endpoint_token),
        endpoint_token,
    })
}

/// Gives a till device a new token; it keeps its acknowledgement mark, so nothing is lost or
/// sent twice.
pub fn rotate_device_token(
    store: &dyn EventStore,
    device: DeviceId,
) -> Result<NewDevice, AdminError> {
    let token = Token::generate()?;
    let found = store.rotate_device(device, &token.hash())?;
    Ok(NewDevice {
        id: found.id,
        shop: found.shop,
        token,
    })
}

fn check_public_base(public_base: &str) -> Result<(), AdminError> {
    if !(public_base.starts_with("https://") || public_base.starts_with("http://")) {
        return Err(AdminError::NotAbsolute);
    }
    match forbidden_word(public_base) {
        Some(word) => Err(AdminError::ForbiddenWord(word)),
        None => Ok(()),
    }
}

fn urls(public_base: &str, endpoint_token: &Token) -> Vec<(EventKind, String)> {
    EventKind::ALL
        .into_iter()
        .map(|k| (k, callback_url(public_base, endpoint_token, k)))
        .collect()
}

/// Registers a till device of `shop`.
pub fn create_device(
    store: &dyn EventStore,
    shop: ShopId,
    name: &str,
    now_ms: i64,
) -> Result<NewDevice, AdminError> {
    let token = Token::generate()?;
    let id = store.create_device(shop, name, &token.hash(), now_ms)?;
    Ok(NewDevice { id, shop, token })
}

/// What `shop-create` prints: the endpoint token once, and where each URL goes.
pub fn shop_report(shop: &NewShop) -> String {
    let mut out = format!(
        "shop {} registered\nendpoint token (shown once, keep it secret): {}\n\ncallback URLs:\n",
        shop.id.0,
        shop.endpoint_token.expose()
    );
    for (kind, url) in &shop.callback_urls {
        out.push_str(&format!("  {:<48} {url}\n", kind.purpose()));
    }
    out
}

/// What `till-create` prints: the device token once.
pub fn device_report(device: &NewDevice) -> String {
    format!(
        "till device {} registered for shop {}\ndevice token (shown once, enter it on the till): {}\n",
        device.id.0,
        device.shop.0,
        device.token.expose()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;

    #[test]
    fn shop_urls_cover_every_kind_and_avoid_the_forbidden_words() {
        let store = SqliteStore::in_memory().unwrap();
        let shop = create_shop(&store, "Duka", "https://relay.example.com/", 0).unwrap();
        assert_eq!(shop.callback_urls.len(), EventKind::ALL.len());
        for (kind, url) in &shop.callback_urls {
            assert!(url.starts_with("https://relay.example.com/h/"), "{url}");
            assert!(url.ends_with(kind.as_str()));
            assert_eq!(forbidden_word(url), None, "{url}");
        }
        assert_eq!(
            store.shop_by_endpoint(&shop.endpoint_token.hash()).unwrap(),
            Some(shop.id)
        );
        let report = shop_report(&shop);
        assert!(report.contains(shop.endpoint_token.expose()));
        assert!(report.contains(&shop.callback_urls[0].1));
        let till = create_device(&store, shop.id, "till 1", 0).unwrap();
        assert!(device_report(&till).contains(till.token.expose()));

        let rotated = rotate_shop_endpoint(&store, shop.id, "https://relay.example.com").unwrap();
        assert_ne!(rotated.endpoint_token, shop.endpoint_token);
        assert_eq!(
            store.shop_by_endpoint(&shop.endpoint_token.hash()).unwrap(),
            None
        );
        assert_eq!(
            store
                .shop_by_endpoint(&rotated.endpoint_token.hash())
                .unwrap(),
            Some(shop.id)
        );
        assert!(rotated.callback_urls[0]
            .1
            .contains(rotated.endpoint_token.expose()));
        let new_till = rotate_device_token(&store, till.id).unwrap();
        assert_eq!((new_till.id, new_till.shop), (till.id, shop.id));
        assert_eq!(store.device_by_token(&till.token.hash()).unwrap(), None);
        assert_eq!(
            store
                .device_by_token(&new_till.token.hash())
                .unwrap()
                .map(|d| d.shop),
            Some(shop.id)
        );
    }

    #[test]
    fn a_public_url_safaricom_would_reject_is_refused() {
        let store = SqliteStore::in_memory().unwrap();
        assert!(matches!(
            create_shop(&store, "Duka", "https://mpesa-relay.example.com", 0),
            Err(AdminError::ForbiddenWord("mpesa"))
        ));
        assert!(matches!(
            create_shop(&store, "Duka", "relay.example.com", 0),
            Err(AdminError::NotAbsolute)
        ));
        assert!(matches!(
            create_device(&store, ShopId(9), "till", 0),
            Err(AdminError::Store(StoreError::NotFound("shop")))
        ));
    }
}
