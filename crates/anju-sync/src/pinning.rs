//! The office's certificate, pinned at the first sign-in. A township office often has no
//! domain name and serves HTTPS with a certificate it made itself, which no authority
//! vouches for: the device trusts the certificate it met at its first sign-in (the
//! inspector compares its code with the one the office pages show), and from then on that
//! certificate only. A different one is refused, never retried: someone on the Wi-Fi may
//! be pretending to be the office.

use std::sync::{Arc, Mutex};

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};

/// SHA-256 of a certificate (DER), lower-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint as people compare it: the first 16 hex digits in groups of four,
/// as the office pages show it.
pub fn short_code(fingerprint: &str) -> String {
    fingerprint
        .as_bytes()
        .chunks(4)
        .take(4)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// What one connection's verifier saw: the certificate, and whether it was refused.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Seen {
    pub fingerprint: Option<String>,
    /// `(pinned, presented)` when a different certificate was refused.
    pub refused: Option<(String, String)>,
}

/// Accepts the pinned certificate only; with no pin yet (a first sign-in), any, and
/// remembers which.
#[derive(Debug)]
pub(crate) struct PinnedVerifier {
    pinned: Option<String>,
    seen: Arc<Mutex<Seen>>,
    provider: Arc<CryptoProvider>,
}

impl PinnedVerifier {
    pub(crate) fn new(pinned: Option<String>, seen: Arc<Mutex<Seen>>) -> Self {
        Self {
            pinned,
            seen,
            provider: Arc::new(rustls::crypto::ring::default_provider()),
        }
    }

    pub(crate) fn provider(&self) -> Arc<CryptoProvider> {
        Arc::clone(&self.provider)
    }
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = fingerprint(end_entity.as_ref());
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.fingerprint = Some(presented.clone());
        match &self.pinned {
            Some(pinned) if *pinned != presented => {
                seen.refused = Some((pinned.clone(), presented));
                Err(rustls::Error::General(
                    "the office's certificate is not the pinned one".into(),
                ))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS client set-up that pins `pinned` (or, with none, accepts and remembers the first).
pub(crate) fn client_config(
    pinned: Option<String>,
    seen: Arc<Mutex<Seen>>,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let verifier = PinnedVerifier::new(pinned, seen);
    let provider = verifier.provider();
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_certificate_is_the_only_one_accepted() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let first = CertificateDer::from(vec![1u8, 2, 3]);
        let other = CertificateDer::from(vec![4u8, 5, 6]);
        let name = ServerName::try_from("office.local").unwrap();
        let verify = |pin: Option<String>, cert: &CertificateDer<'_>| {
            PinnedVerifier::new(pin, Arc::clone(&seen))
                .verify_server_cert(cert, &[], &name, &[], UnixTime::now())
                .is_ok()
        };
        // First sign-in: accepted and remembered.
        assert!(verify(None, &first));
        let pinned = seen.lock().unwrap().fingerprint.clone().unwrap();
        assert_eq!(pinned, fingerprint(&[1, 2, 3]));
        assert!(seen.lock().unwrap().refused.is_none());
        // Pinned: the same is accepted, another refused and named.
        assert!(verify(Some(pinned.clone()), &first));
        assert!(!verify(Some(pinned.clone()), &other));
        assert_eq!(
            seen.lock().unwrap().refused,
            Some((pinned, fingerprint(&[4, 5, 6])))
        );
        assert_eq!(short_code(&fingerprint(&[1, 2, 3])).len(), 19);
    }
}
