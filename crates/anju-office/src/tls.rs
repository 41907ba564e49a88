//! TLS for the office: a certificate and key from files (PEM), or one the office makes
//! for itself (`anju-office init --self-signed`) when a township has no domain name. A
//! device pins the certificate it saw at its first sign-in; people compare its
//! fingerprint, shown on the office pages as a short code.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(
        "无法读取证书文件 {path}：{message} / cannot read the certificate file {path}: {message}"
    )]
    Certificate { path: String, message: String },
    #[error("无法读取私钥文件 {path}：{message} / cannot read the key file {path}: {message}")]
    Key { path: String, message: String },
    #[error(
        "证书与私钥不匹配或无效：{0} / the certificate and key do not match or are not valid: {0}"
    )]
    Config(String),
    #[error("无法生成自签名证书：{0} / cannot make a self-signed certificate: {0}")]
    Generate(String),
    #[error("无法写入 {path}：{source} / cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The office's TLS set-up: what accepts connections, and the fingerprint people compare.
#[derive(Clone)]
pub struct OfficeTls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// SHA-256 of the certificate (DER), lower-case hex.
    pub fingerprint: String,
}

/// Where `init --self-signed` keeps the office's own certificate.
pub fn self_signed_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("tls");
    (dir.join("office.crt"), dir.join("office.key"))
}

/// SHA-256 of a certificate's DER bytes, hex.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// The fingerprint as people compare it: the first 16 hex digits in groups of four.
pub fn short_code(fingerprint: &str) -> String {
    fingerprint
        .as_bytes()
        .chunks(4)
        .take(4)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// Load a certificate chain and its key (PEM files).
pub fn load(cert: &Path, key: &Path) -> Result<OfficeTls, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certificate {
            path: cert.display().to_string(),
            message: e.to_string(),
        })?;
    let first = chain.first().ok_or_else(|| TlsError::Certificate {
        path: cert.display().to_string(),
        message: "文件中没有证书 / the file holds no certificate".into(),
    })?;
    let print = fingerprint(first.as_ref());
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.display().to_string(),
        message: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(OfficeTls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        fingerprint: print,
    })
}

/// Make a self-signed certificate for `names` (host names or IP addresses) and write it
/// and its key under `data_dir/tls/`. Returns the two paths.
pub fn make_self_signed(data_dir: &Path, names: &[String]) -> Result<(PathBuf, PathBuf), TlsError> {
    let mut names = names.to_vec();
    for default in ["localhost", "127.0.0.1"] {
        if !names.iter().any(|n| n == default) {
            names.push(default.to_string());
        }
    }
    let certified =
        rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Generate(e.to_string()))?;
    let (cert_path, key_path) = self_signed_paths(data_dir);
    let write = |path: &Path, text: String| {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
                path: dir.display().to_string(),
                source,
            })?;
        }
        std::fs::write(path, text).map_err(|source| TlsError::Write {
            path: path.display().to_string(),
            source,
        })
    };
    write(&cert_path, certified.cert.pem())?;
    write(&key_path, certified.signing_key.serialize_pem())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600));
    }
    Ok((cert_path, key_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_loads_and_has_a_stable_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = make_self_signed(dir.path(), &["office.local".into()]).unwrap();
        let first = load(&cert, &key).unwrap();
        let again = load(&cert, &key).unwrap();
        assert_eq!(first.fingerprint, again.fingerprint);
        assert_eq!(first.fingerprint.len(), 64);
        let code = short_code(&first.fingerprint);
        assert_eq!(code.len(), 19, "{code}");
        assert!(matches!(
            load(&key, &cert),
            Err(TlsError::Certificate { .. })
                | Err(TlsError::Key { .. })
                | Err(TlsError::Config(_))
        ));
    }
}
