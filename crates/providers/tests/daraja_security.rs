//! The SecurityCredential decrypts, with the private key of a certificate generated here, to
//! the initiator password — the exact check Safaricom makes on reversal and status requests.
#![allow(clippy::unwrap_used)]

mod daraja_support;

use base64::Engine as _;
use malipo_providers::daraja::{CertificateKey, SecurityCredentialError};
use malipo_vault::Sensitive;
use rsa::Pkcs1v15Encrypt;

#[test]
fn the_credential_decrypts_to_the_initiator_password() {
    let (private, pem) = daraja_support::test_certificate();
    let key = CertificateKey::from_certificate(&pem).unwrap();
    let password = Sensitive::new(daraja_support::INITIATOR_PASSWORD.to_string());
    let first = key.security_credential(&password).unwrap();
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(first.expose())
        .unwrap();
    assert_eq!(ciphertext.len(), 256, "2048-bit key: 256-byte ciphertext");
    assert_eq!(first.expose().len(), 344, "344 base64 characters");
    let plain = private.decrypt(Pkcs1v15Encrypt, &ciphertext).unwrap();
    assert_eq!(
        plain,
        daraja_support::INITIATOR_PASSWORD.as_bytes(),
        "plain UTF-8 password, not base64 of it"
    );
    let second = key.security_credential(&password).unwrap();
    assert_ne!(
        first.expose(),
        second.expose(),
        "PKCS#1 v1.5 padding is randomised"
    );
    assert_eq!(
        format!("{first:?}"),
        "<redacted>",
        "the credential never prints"
    );
}

#[test]
fn der_certificates_work_too() {
    use x509_cert::der::{DecodePem, Encode};
    let (private, pem) = daraja_support::test_certificate();
    let der = x509_cert::Certificate::from_pem(&pem)
        .unwrap()
        .to_der()
        .unwrap();
    let key = CertificateKey::from_certificate(&der).unwrap();
    let credential = key
        .security_credential(&Sensitive::new("pw".to_string()))
        .unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(credential.expose())
        .unwrap();
    assert_eq!(private.decrypt(Pkcs1v15Encrypt, &bytes).unwrap(), b"pw");
}

#[test]
fn bad_certificates_and_empty_passwords_are_typed_errors() {
    assert_eq!(
        CertificateKey::from_certificate(b"not a certificate").unwrap_err(),
        SecurityCredentialError::BadCertificate
    );
    assert_eq!(
        CertificateKey::from_certificate(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .unwrap_err(),
        SecurityCredentialError::BadCertificate
    );
    let (_, pem) = daraja_support::test_certificate();
    let key = CertificateKey::from_certificate(&pem).unwrap();
    assert_eq!(
        key.security_credential(&Sensitive::new(String::new()))
            .unwrap_err(),
        SecurityCredentialError::EmptyPassword
    );
}
