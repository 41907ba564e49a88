//! Content hashes: the identity of a record's content, used to make pushes idempotent
//! and to bind a signature to the form the signer saw.

use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("无法序列化记录内容 / the record content cannot be serialised: {0}")]
pub struct HashError(#[from] serde_json::Error);

/// SHA-256 (lower-case hex) of the canonical JSON of `value`.
///
/// Canonical because struct fields serialise in declaration order and every map in the
/// domain is a `BTreeMap`; `serde_json::Value` objects are sorted too (no
/// `preserve_order` feature), so equal content always hashes equal.
pub fn content_sha256<T: Serialize + ?Sized>(value: &T) -> Result<String, HashError> {
    let json = serde_json::to_vec(value)?;
    Ok(sha256_hex(&json))
}

/// SHA-256 (lower-case hex) of raw bytes, e.g. a photo file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `text` looks like a lower-case hex SHA-256.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&sha256_hex(b"")));
        assert!(!is_sha256_hex("ABC"));
    }

    #[test]
    fn a_float_read_back_is_the_same_float_so_its_hash_is_the_same() {
        // Positions are sums like 31.7650 + 0.00018, whose shortest text takes 17 digits;
        // serde_json's default parser may read such text back one ULP off, and the office
        // then hashes a record the device did not make (issue 13: photos with a fix were
        // refused as not matching their content_sha256).
        for step in 0..20_000u32 {
            let latitude = 31.7 + f64::from(step) * 0.000_018 + 0.000_18;
            let text = serde_json::to_string(&latitude).unwrap();
            let back: f64 = serde_json::from_str(&text).unwrap();
            assert_eq!(back.to_bits(), latitude.to_bits(), "{text}");
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                content_sha256(&value).unwrap(),
                content_sha256(&latitude).unwrap()
            );
        }
    }

    #[test]
    fn map_order_does_not_matter() {
        let mut a = BTreeMap::new();
        a.insert("b", 1);
        a.insert("a", 2);
        let mut b = BTreeMap::new();
        b.insert("a", 2);
        b.insert("b", 1);
        assert_eq!(content_sha256(&a).unwrap(), content_sha256(&b).unwrap());
        let value: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":2}"#).unwrap();
        assert_eq!(content_sha256(&value).unwrap(), content_sha256(&a).unwrap());
    }
}
