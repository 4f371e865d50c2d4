//! A development stand-in for Firebase Auth's token signer, used by the `dev-auth` binary and by
//! tests.
//!
//! [`DevIssuer`] generates an RSA-2048 key and a self-signed certificate, serves them in the
//! shape of Google's certificate map, and signs tokens carrying exactly the claims Firebase
//! puts in an ID token. It is compiled into every build, but a [`crate::FirebaseVerifier`]
//! trusts it only when its `certs_url` points at it.
//!
//! [`DevIssuer::sign_with`] also forges the bad tokens tests need (alg `none`, HS256 keyed
//! with the public certificate, foreign `kid`s).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
use jsonwebtoken::{Algorithm, EncodingKey};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{Value, json};
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::der::EncodePem;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{ObjectIdentifier, SubjectPublicKeyInfo};
use x509_cert::time::Validity;

use crate::clock::unix_seconds;
use crate::config::ISSUER_PREFIX;

/// RSA modulus size, as Google's signing keys.
const KEY_BITS: usize = 2048;
/// The dev certificate's validity. Verifiers ignore it (as the Admin SDK does), but a
/// certificate must have one.
const CERT_VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// Setting up a [`DevIssuer`] failed (key generation or certificate encoding).
#[derive(Debug, thiserror::Error)]
#[error("dev issuer: {0}")]
pub struct DevIssuerError(String);

fn setup_error(step: &str, problem: impl fmt::Display) -> DevIssuerError {
    DevIssuerError(format!("{step}: {problem}"))
}

/// How [`DevIssuer::sign_with`] signs, including the ways a forger would.
#[derive(Clone, PartialEq, Eq)]
pub enum DevSigning {
    /// RS256 with the issuer's private key: a genuine signature.
    Rs256,
    /// `alg: none` and an empty signature.
    None,
    /// HS256 keyed with these bytes, e.g. the issuer's public certificate or key PEM, which a
    /// verifier that trusted the header's `alg` would use as the HMAC secret.
    Hs256(Vec<u8>),
}

impl fmt::Debug for DevSigning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DevSigning::Rs256 => f.write_str("Rs256"),
            DevSigning::None => f.write_str("None"),
            DevSigning::Hs256(_) => f.write_str("Hs256(***)"),
        }
    }
}

/// A local token issuer with Firebase's token format and Google's certificate format.
pub struct DevIssuer {
    kid: String,
    certificate_pem: String,
    public_key_pem: String,
    signing_key: EncodingKey,
}

impl fmt::Debug for DevIssuer {
    // The private key stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevIssuer").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl DevIssuer {
    /// Generates an RSA-2048 key, a self-signed certificate for it and a random 40-hex-digit
    /// `kid` (the shape of Google's). Takes a moment: call it off the async executor.
    pub fn generate() -> Result<Self, DevIssuerError> {
        let mut rng = getrandom::SysRng;
        let private_key = rsa::PrivateKey::new(&mut rng, KEY_BITS).map_err(|e| setup_error("RSA key generation", e))?;
        let public_key_pem = private_key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| setup_error("public key PEM", e))?;
        let pkcs1 = private_key.to_pkcs1_der().map_err(|e| setup_error("private key DER", e))?;
        let signing_key = EncodingKey::from_rsa_der(pkcs1.as_bytes());
        let certificate_pem = self_signed_certificate(private_key)?;
        Ok(Self { kid: random_hex(20)?, certificate_pem, public_key_pem, signing_key })
    }

    /// The key id that tokens carry in their header and the certificate map is keyed by.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The self-signed certificate, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The bare public key (SubjectPublicKeyInfo), PEM.
    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// The certificate map as Google serves it: `{"<kid>": "<PEM certificate>"}`.
    pub fn cert_map_json(&self) -> String {
        json!({ &self.kid: &self.certificate_pem }).to_string()
    }

    /// A valid ID token for `uid`, issued now for `project_id` and expiring after `lifetime`.
    pub fn sign_id_token(&self, project_id: &str, uid: &str, email: &str, lifetime: Duration) -> String {
        let claims = id_token_claims(project_id, uid, email, SystemTime::now(), lifetime);
        self.sign_with(&DevSigning::Rs256, Some(&self.kid), &claims)
    }

    /// Signs any `claims` as `signing` says, with `kid` in the header (`None`: no `kid`).
    pub fn sign_with(&self, signing: &DevSigning, kid: Option<&str>, claims: &Value) -> String {
        let alg = match signing {
            DevSigning::Rs256 => "RS256",
            DevSigning::None => "none",
            DevSigning::Hs256(_) => "HS256",
        };
        let mut header = json!({ "alg": alg, "typ": "JWT" });
        if let (Some(kid), Some(fields)) = (kid, header.as_object_mut()) {
            fields.insert("kid".into(), Value::from(kid));
        }
        let message =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = match signing {
            DevSigning::None => Vec::new(),
            DevSigning::Rs256 => sign(&message, Algorithm::RS256, &self.signing_key),
            DevSigning::Hs256(secret) => match EncodingKey::from_secret(secret) {
                Ok(key) => sign(&message, Algorithm::HS256, &key),
                // Only an empty secret is refused; an empty signature is as forged as any.
                Err(_) => Vec::new(),
            },
        };
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// Signs with jsonwebtoken's RustCrypto provider, named for the reason given in the verifier.
fn sign(message: &str, alg: Algorithm, key: &EncodingKey) -> Vec<u8> {
    // Both keys are built in this module (an RSA key we generated, an HMAC secret that is not
    // empty), so the provider accepts them and signing cannot fail: a failure is a bug here.
    #[allow(clippy::expect_used)]
    let signer = (DEFAULT_PROVIDER.signer_factory)(&alg, key).expect("dev issuer keys fit their algorithm");
    #[allow(clippy::expect_used)]
    signer.try_sign(message.as_bytes()).expect("signing with a valid key succeeds")
}

/// The claims of a Firebase ID token for an email/password account, as Firebase Auth issues
/// them: issued at `issued_at`, expiring `lifetime` later. Tests edit the result to make bad
/// tokens.
///
/// `email_verified` is true: dev accounts are configured by the developer, so their emails are
/// as good as verified.
pub fn id_token_claims(project_id: &str, uid: &str, email: &str, issued_at: SystemTime, lifetime: Duration) -> Value {
    let iat = unix_seconds(issued_at);
    let exp = unix_seconds(issued_at + lifetime);
    json!({
        "iss": format!("{ISSUER_PREFIX}{project_id}"),
        "aud": project_id,
        "auth_time": iat,
        "user_id": uid,
        "sub": uid,
        "iat": iat,
        "exp": exp,
        "email": email,
        "email_verified": true,
        "firebase": {
            "identities": { "email": [email] },
            "sign_in_provider": "password",
        },
    })
}

/// `2n` lowercase hex digits from the OS's random source.
fn random_hex(bytes: usize) -> Result<String, DevIssuerError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| setup_error("random source", e))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A self-signed leaf certificate like Google's: the subject is its own issuer, not a CA, for
/// digital signatures (`clientAuth`, as Google's carry).
struct SelfSigned {
    subject: Name,
}

/// `id-kp-clientAuth` (RFC 5280).
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions = Vec::new();
        let basic = BasicConstraints { ca: false, path_len_constraint: None };
        extensions.push(basic.to_extension(tbs.subject(), &extensions)?);
        extensions.push(KeyUsage(KeyUsages::DigitalSignature.into()).to_extension(tbs.subject(), &extensions)?);
        extensions.push(ExtendedKeyUsage(vec![CLIENT_AUTH]).to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

fn self_signed_certificate(private_key: rsa::PrivateKey) -> Result<String, DevIssuerError> {
    let spki = SubjectPublicKeyInfo::from_key(&private_key.to_public_key())
        .map_err(|e| setup_error("certificate key info", e))?;
    let subject = Name::from_str("CN=zelly-dev-auth.localhost,O=Zelly development issuer")
        .map_err(|e| setup_error("certificate subject", e))?;
    let serial = {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| setup_error("random source", e))?;
        // Positive (top bit clear) and without a leading zero byte, as DER integers want.
        bytes[0] = (bytes[0] & 0x7f) | 0x01;
        SerialNumber::new(&bytes).map_err(|e| setup_error("certificate serial", e))?
    };
    let validity = Validity::from_now(CERT_VALIDITY).map_err(|e| setup_error("certificate validity", e))?;
    let builder = CertificateBuilder::new(SelfSigned { subject }, serial, validity, spki)
        .map_err(|e| setup_error("certificate", e))?;
    let signer = SigningKey::<Sha256>::new(private_key);
    let certificate =
        builder.build::<_, rsa::pkcs1v15::Signature>(&signer).map_err(|e| setup_error("certificate signature", e))?;
    certificate.to_pem(LineEnding::LF).map_err(|e| setup_error("certificate PEM", e))
}
