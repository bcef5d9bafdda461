//! Secrets and a PGO's health data encrypted at rest (issue 22, finding 9; issue 19): a TOTP
//! secret, a PGO's refresh token or a resource a PGO fetched is stored as `enc1:` followed by the hex of a random nonce and its AES-256-GCM ciphertext, under a key
//! derived from the configured secret (the audit key, see `audit.rs`; never in the database).
//! Someone who reads the database, or a backup of it, cannot make second-factor codes.
//!
//! Without a key (a store's own tests) secrets stay as they are. A stored value without the
//! prefix is read as it is (accounts from before), and is encrypted the next time it is written.

use crate::StoreError;
use crate::audit::{AuditKey, mac_hex};
use aes_gcm::aead::{Aead, Generate, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

const PREFIX: &str = "enc1:";
const NONCE: usize = 12;

impl AuditKey {
    fn cipher(&self) -> Option<Aes256Gcm> {
        let key = self.get()?;
        // A key of its own for this purpose, derived from the configured secret.
        let derived = hex::decode(mac_hex(&key, &["inzage-secret-encryption-v1"])).ok()?;
        Aes256Gcm::new_from_slice(&derived).ok()
    }

    /// The stored form of a second-factor secret.
    pub(crate) fn seal(&self, plain: &str) -> Result<String, StoreError> {
        let Some(cipher) = self.cipher() else {
            return Ok(plain.to_owned());
        };
        let nonce = Nonce::generate();
        let sealed = cipher
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| StoreError::Invalid("the secret could not be encrypted".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", hex::encode(bytes)))
    }

    /// A second-factor secret as stored, readable again.
    pub(crate) fn open(&self, stored: &str) -> Result<String, StoreError> {
        let Some(hex_text) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let corrupt =
            || StoreError::Corrupt("an encrypted secret does not open with this key".into());
        let cipher = self.cipher().ok_or_else(corrupt)?;
        let bytes = hex::decode(hex_text).map_err(|_| corrupt())?;
        if bytes.len() < NONCE {
            return Err(corrupt());
        }
        let (nonce, sealed) = bytes.split_at(NONCE);
        let nonce = Nonce::try_from(nonce).map_err(|_| corrupt())?;
        let plain = cipher.decrypt(&nonce, sealed).map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    /// The stored form of a file (a photo in a PGO's care-team space): one byte saying whether it
    /// is encrypted, then the nonce and the AES-256-GCM ciphertext, or the bytes as they are
    /// without a key.
    pub(crate) fn seal_bytes(&self, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        let Some(cipher) = self.cipher() else {
            let mut out = vec![0u8];
            out.extend_from_slice(plain);
            return Ok(out);
        };
        let nonce = Nonce::generate();
        let sealed = cipher
            .encrypt(&nonce, plain)
            .map_err(|_| StoreError::Invalid("the file could not be encrypted".into()))?;
        let mut out = vec![1u8];
        out.extend_from_slice(&nonce);
        out.extend(sealed);
        Ok(out)
    }

    /// A file as stored by [`Self::seal_bytes`], readable again.
    pub(crate) fn open_bytes(&self, stored: &[u8]) -> Result<Vec<u8>, StoreError> {
        let corrupt =
            || StoreError::Corrupt("an encrypted file does not open with this key".into());
        match stored.split_first() {
            Some((0, plain)) => Ok(plain.to_vec()),
            Some((1, rest)) if rest.len() >= NONCE => {
                let cipher = self.cipher().ok_or_else(corrupt)?;
                let (nonce, sealed) = rest.split_at(NONCE);
                let nonce = Nonce::try_from(nonce).map_err(|_| corrupt())?;
                cipher.decrypt(&nonce, sealed).map_err(|_| corrupt())
            }
            _ => Err(corrupt()),
        }
    }

    /// A digest of `plain` that tells whether content changed without telling what it is:
    /// keyed (HMAC-SHA256) when a key is configured.
    pub(crate) fn fingerprint(&self, plain: &str) -> String {
        match self.get() {
            Some(key) => mac_hex(&key, &["inzage-fingerprint-v1", plain]),
            None => {
                use sha2::{Digest, Sha256};
                hex::encode(Sha256::digest(plain.as_bytes()))
            }
        }
    }
}
