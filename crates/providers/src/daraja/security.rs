//! The SecurityCredential for reversal and transaction status:
//! `base64(RSA_PKCS#1_v1.5_encrypt(certificate public key, initiator password))`.
//!
//! Safaricom's FAQ says to encrypt the "base64-encoded" password, but Safaricom's own Node
//! library and every other implementation encrypt the plain UTF-8 password (reference §5.3,
//! §9); Malipo follows the code. The padding is randomised, so each credential differs.

use base64::Engine as _;
use malipo_vault::Sensitive;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Encrypt, PublicKey};
use x509_cert::der::{Decode, DecodePem, Encode};
use x509_cert::Certificate;

/// Why a SecurityCredential could not be made. Never carries the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityCredentialError {
    #[error(
        "the Safaricom certificate cannot be read (expected an X.509 certificate, PEM or DER)"
    )]
    BadCertificate,
    #[error("the Safaricom certificate does not hold an RSA public key")]
    NotRsa,
    #[error("the initiator password is empty")]
    EmptyPassword,
    #[error("the initiator password is too long for the certificate's key")]
    EncryptionFailed,
}

/// The RSA public key of Safaricom's certificate.
#[derive(Debug, Clone)]
pub struct CertificateKey(PublicKey);

impl CertificateKey {
    /// Reads an X.509 certificate, PEM or DER, and takes its public key (only the key is used:
    /// Safaricom's published certificates are long expired).
    pub fn from_certificate(bytes: &[u8]) -> Result<CertificateKey, SecurityCredentialError> {
        let certificate = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
            Certificate::from_pem(bytes)
        } else {
            Certificate::from_der(bytes)
        }
        .map_err(|_| SecurityCredentialError::BadCertificate)?;
        let spki = certificate
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| SecurityCredentialError::BadCertificate)?;
        PublicKey::from_public_key_der(&spki)
            .map(CertificateKey)
            .map_err(|_| SecurityCredentialError::NotRsa)
    }

    /// Encrypts the initiator password: the SecurityCredential, base64.
    pub fn security_credential(
        &self,
        password: &Sensitive<String>,
    ) -> Result<Sensitive<String>, SecurityCredentialError> {
        if password.expose().is_empty() {
            return Err(SecurityCredentialError::EmptyPassword);
        }
        let mut rng = rand::rngs::SysRng;
        let ciphertext = self
            .0
            .encrypt(&mut rng, Pkcs1v15Encrypt, password.expose().as_bytes())
            .map_err(|_| SecurityCredentialError::EncryptionFailed)?;
        Ok(Sensitive::new(
            base64::engine::general_purpose::STANDARD.encode(ciphertext),
        ))
    }
}
