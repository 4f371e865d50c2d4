//! Passwords (shoppers' and staff's): argon2id at OWASP's minimum cost (19 MiB, two passes, one lane), hashed off the
//! async threads. Unknown accounts are checked against a hash of the same cost, so a wrong email
//! takes as long as a wrong password.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Memory cost in KiB (19 MiB).
pub const MEMORY_KIB: u32 = 19_456;
/// Passes over the memory.
pub const PASSES: u32 = 2;
/// Lanes.
pub const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    // The constants are valid parameters; Params::new only refuses out-of-range ones.
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` with a fresh random salt.
pub async fn hash(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        argon2().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// Whether `password` matches `phc`. A hash that cannot be read matches nothing.
pub async fn verify(password: &str, phc: &str) -> anyhow::Result<bool> {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    Ok(tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await?)
}

/// A hash to check wrong emails against, made once, of the same cost as real ones.
pub async fn decoy() -> anyhow::Result<String> {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(found) = DECOY.get() {
        return Ok(found.clone());
    }
    let made = hash("not anybody's password").await?;
    Ok(DECOY.get_or_init(|| made).clone())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_at_the_required_cost_and_salted() {
        let a = hash("correct horse battery").await.unwrap();
        let b = hash("correct horse battery").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery", &a).await.unwrap());
        assert!(!verify("correct horse battery!", &a).await.unwrap());
        assert!(!verify("anything", "not a hash").await.unwrap());
    }
}
