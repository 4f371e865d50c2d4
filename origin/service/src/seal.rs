//! Secrets sealed at rest (feature `seal`): AES-256-GCM under a 32-byte key, a fresh random nonce
//! each time, written as `v1.` + base64url(nonce ‖ ciphertext). What the database holds is
//! useless without the key, which lives only in the service's environment. Shopify access
//! tokens (core-api) and staff TOTP secrets (admin-api) are kept this way.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;

/// Seals and opens secrets under one key.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer under `key`.
    pub fn new(key: [u8; 32]) -> Self {
        Self { cipher: Aes256Gcm::new(&key.into()) }
    }

    /// A sealer under the key in `var`'s value (base64 of 32 random bytes, e.g. `openssl rand
    /// -base64 32`), naming the variable on error.
    pub fn from_base64(var: &str, value: &str) -> Result<Self, String> {
        let wrong = || format!("{var} must be 32 bytes in base64 (`openssl rand -base64 32`)");
        let decoded = base64::engine::general_purpose::STANDARD.decode(value.trim()).map_err(|_| wrong())?;
        let key: [u8; 32] = decoded.try_into().map_err(|_| wrong())?;
        Ok(Self::new(key))
    }

    /// `secret` sealed: `v1.` + base64url(nonce ‖ AES-256-GCM ciphertext).
    pub fn seal(&self, secret: &str) -> Result<String, String> {
        let mut nonce = [0_u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| format!("no random source: {e}"))?;
        let sealed = self.cipher.encrypt(&Nonce::from(nonce), secret.as_bytes()).map_err(|_| "sealing failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)))
    }

    /// The secret `sealed` holds, if it was sealed under this key (and not altered).
    pub fn open(&self, sealed: &str) -> Option<String> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed.strip_prefix("v1.")?).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, ciphertext) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), ciphertext).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_under_its_key_and_unaltered() {
        let sealer = Sealer::new([7; 32]);
        let sealed = sealer.seal("JBSWY3DPEHPK3PXP").unwrap();
        assert!(sealed.starts_with("v1.") && !sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealer.seal("JBSWY3DPEHPK3PXP").unwrap(), sealed, "a fresh nonce each time");
        assert_eq!(sealer.open(&sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(Sealer::new([8; 32]).open(&sealed), None, "another key");
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(sealer.open(&altered), None, "altered");
        assert_eq!(sealer.open("plain"), None);
        assert!(Sealer::from_base64("KEY", "c2hvcnQ=").unwrap_err().contains("KEY must be 32 bytes"));
    }
}
