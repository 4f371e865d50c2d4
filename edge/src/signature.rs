//! Razorpay's signatures: HMAC-SHA256 in lowercase hex, compared in constant time.
//!
//! - The Standard Checkout callback carries `razorpay_signature` =
//!   hex(HMAC-SHA256(key secret, order id + "|" + payment id)), where the order id must be the one
//!   the server stored for the checkout, never one the browser sends.
//! - A webhook carries `X-Razorpay-Signature` = hex(HMAC-SHA256(webhook secret, raw body)); during a
//!   secret rotation either of two secrets is accepted.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// hex(HMAC-SHA256(`key`, `message`)).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// hex(SHA-256(`data`)): how secrets handed to users (invite links) are kept, so a copy of the
/// database cannot be turned back into them.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(data))
}

/// The PKCE S256 challenge of `verifier` (RFC 7636): base64url(SHA-256(verifier)) without
/// padding. A storefront host sends it with a sign-in; customer-auth checks the verifier with it.
pub fn pkce_s256(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `signature_hex` is hex(HMAC-SHA256(`key`, `message`)), compared in constant time.
pub fn verify_hex(key: &[u8], message: &[u8], signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex.trim()) else { return false };
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else { return false };
    mac.update(message);
    mac.verify_slice(&signature).is_ok()
}

/// The checkout callback's `razorpay_signature` for the server's stored `order_id`.
pub fn payment_signature(key_secret: &str, order_id: &str, payment_id: &str) -> String {
    hmac_sha256_hex(key_secret.as_bytes(), format!("{order_id}|{payment_id}").as_bytes())
}

/// Whether a checkout callback is genuine for the server's stored `order_id`.
pub fn verify_payment(key_secret: &str, order_id: &str, payment_id: &str, signature: &str) -> bool {
    verify_hex(key_secret.as_bytes(), format!("{order_id}|{payment_id}").as_bytes(), signature)
}

/// Whether a webhook's `X-Razorpay-Signature` matches its raw body under any of `secrets` (the
/// current one, and the previous one while it is being rotated out). Empty secrets never match.
pub fn verify_webhook<'a>(secrets: impl IntoIterator<Item = &'a str>, body: &[u8], signature: &str) -> bool {
    secrets.into_iter().filter(|s| !s.is_empty()).any(|secret| verify_hex(secret.as_bytes(), body, signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s_example() {
        assert_eq!(pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_payment_signature_binds_the_stored_order_and_the_payment() {
        let signature = payment_signature("secret", "order_A", "pay_1");
        assert!(verify_payment("secret", "order_A", "pay_1", &signature));
        assert!(!verify_payment("secret", "order_B", "pay_1", &signature), "another order");
        assert!(!verify_payment("secret", "order_A", "pay_2", &signature), "another payment");
        assert!(!verify_payment("other", "order_A", "pay_1", &signature), "another key");
        assert!(!verify_payment("secret", "order_A", "pay_1", "zz-not-hex"));
        assert!(verify_payment("secret", "order_A", "pay_1", &signature.to_uppercase()), "hex in either case");
    }

    #[test]
    fn webhooks_verify_under_either_secret_of_a_rotation() {
        let body = br#"{"event":"payment.captured"}"#;
        let signature = hmac_sha256_hex(b"old", body);
        assert!(verify_webhook(["new", "old"], body, &signature));
        assert!(!verify_webhook(["new"], body, &signature));
        assert!(!verify_webhook(["new", "old"], br#"{"event":"payment.captured" }"#, &signature), "a changed body");
        assert!(!verify_webhook(["", ""], body, &hmac_sha256_hex(b"", body)), "an unset secret never matches");
    }
}
