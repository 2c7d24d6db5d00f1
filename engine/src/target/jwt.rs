//! HS256 JSON Web Tokens (RFC 7519) for the demo target: real enough that a scenario can decode,
//! forward and introspect them, small enough to read in one sitting.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The `iss` claim of every token the demo target issues.
pub const ISSUER: &str = "horde-demo-target";

/// `{"alg":"HS256","typ":"JWT"}`, base64url-encoded once instead of on every login.
const HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// The claims the demo target puts in (and expects from) a token. Times are Unix seconds.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// Random 128-bit id in lowercase hex: what logout revokes.
    pub jti: String,
    pub iss: String,
}

impl Claims {
    /// Claims for `sub` issued at `iat`, living `ttl_secs` (zero or negative: born expired).
    pub fn new(sub: impl Into<String>, iat: i64, ttl_secs: i64) -> Self {
        Claims {
            sub: sub.into(),
            iat,
            exp: iat.saturating_add(ttl_secs),
            jti: format!("{:032x}", rand::random::<u128>()),
            iss: ISSUER.to_owned(),
        }
    }

    /// A token is expired from its `exp` second on, so a zero lifetime is already expired.
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.exp
    }

    /// The `jti` as a number, which is what the revocation set stores.
    pub fn jti_key(&self) -> Option<u128> {
        if self.jti.len() != 32 {
            return None;
        }
        u128::from_str_radix(&self.jti, 16).ok()
    }
}

/// Why a token was refused. The route layer maps each to a 401 reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
}

/// A signing key. The MAC is keyed once and cloned per token, which skips re-deriving the
/// HMAC pads on every request.
#[derive(Clone)]
pub struct JwtKey {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKey(..)")
    }
}

impl JwtKey {
    /// A key from secret bytes (any length works for HMAC; 32 bytes matches SHA-256).
    pub fn new(secret: &[u8]) -> Self {
        JwtKey {
            mac: Hmac::new_from_slice(secret).expect("HMAC accepts keys of any length"),
        }
    }

    /// A fresh random 32-byte key: tokens from an earlier run of the target stop verifying.
    pub fn random() -> Self {
        Self::new(&rand::random::<[u8; 32]>())
    }

    /// `header.payload.signature`, all base64url without padding.
    pub fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).expect("claims serialize");
        let mut token = String::with_capacity(HEADER_B64.len() + payload.len() * 4 / 3 + 48);
        token.push_str(HEADER_B64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let mut mac = self.mac.clone();
        mac.update(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(mac.finalize().into_bytes(), &mut token);
        token
    }

    /// Checks structure and signature only, so a lax gateway can still accept expired tokens.
    pub fn decode(&self, token: &str) -> Result<Claims, JwtError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed("expected three dot-separated parts"));
        };
        let signed = &token[..header.len() + 1 + payload.len()];
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| JwtError::Malformed("header is not base64url"))?;
        let header: Header<'_> = serde_json::from_slice(&header)
            .map_err(|_| JwtError::Malformed("header is not a JSON object with alg"))?;
        // Refusing anything but HS256 closes the classic `alg: none` hole.
        if header.alg != "HS256" {
            return Err(JwtError::Malformed("unsupported alg (only HS256)"));
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| JwtError::Malformed("signature is not base64url"))?;
        let mut mac = self.mac.clone();
        mac.update(signed.as_bytes());
        // verify_slice compares in constant time.
        mac.verify_slice(&signature)
            .map_err(|_| JwtError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| JwtError::Malformed("payload is not base64url"))?;
        serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed("payload lacks claims"))
    }

    /// Signature and expiry: what a correct resource server checks.
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, JwtError> {
        let claims = self.decode(token)?;
        if claims.is_expired(now) {
            return Err(JwtError::Expired);
        }
        Ok(claims)
    }
}

/// Current Unix time in seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn header_constant_matches_its_json() {
        assert_eq!(
            URL_SAFE_NO_PAD.decode(HEADER_B64).unwrap(),
            br#"{"alg":"HS256","typ":"JWT"}"#
        );
    }

    #[tokio::test]
    async fn round_trip() {
        let key = JwtKey::random();
        let claims = Claims::new("testuser", NOW, 300);
        let token = key.sign(&claims);
        assert_eq!(token.split('.').count(), 3);
        assert!(!token.contains('='), "no padding");
        let back = key.verify(&token, NOW + 299).unwrap();
        assert_eq!(back, claims);
        assert_eq!(back.iss, ISSUER);
        assert!(back.jti_key().is_some());
    }

    #[tokio::test]
    async fn bad_signature() {
        let key = JwtKey::random();
        let token = key.sign(&Claims::new("testuser", NOW, 300));
        // Another key (another run of the target) must not verify it.
        assert_eq!(
            JwtKey::random().verify(&token, NOW),
            Err(JwtError::BadSignature)
        );
        // Nor may a payload swapped under the original signature.
        let forged_payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&Claims::new("admin", NOW, 300)).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(key.verify(&forged, NOW), Err(JwtError::BadSignature));
    }

    #[tokio::test]
    async fn expired() {
        let key = JwtKey::random();
        let token = key.sign(&Claims::new("testuser", NOW, 300));
        assert_eq!(key.verify(&token, NOW + 300), Err(JwtError::Expired));
        // decode alone is what a lax gateway uses: the signature still holds.
        assert_eq!(key.decode(&token).unwrap().exp, NOW + 300);
        let born_expired = key.sign(&Claims::new("testuser", NOW, 0));
        assert_eq!(key.verify(&born_expired, NOW), Err(JwtError::Expired));
        let negative = key.sign(&Claims::new("testuser", NOW, -60));
        assert_eq!(key.verify(&negative, NOW), Err(JwtError::Expired));
    }

    #[tokio::test]
    async fn malformed() {
        let key = JwtKey::random();
        let good = key.sign(&Claims::new("testuser", NOW, 300));
        let parts: Vec<&str> = good.split('.').collect();
        let none_alg = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            parts[1]
        );
        for token in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "!!!.e30.sig",
            "e30.e30.c2ln",
            none_alg.as_str(),
            &format!("{}.{}.***", parts[0], parts[1]),
        ] {
            assert!(
                matches!(key.verify(token, NOW), Err(JwtError::Malformed(_))),
                "{token:?} should be malformed"
            );
        }
        // A correctly signed payload that is not our claims is malformed, not forged.
        let mut mac = key.mac.clone();
        let unsigned = format!("{}.{}", HEADER_B64, URL_SAFE_NO_PAD.encode(b"[1,2]"));
        mac.update(unsigned.as_bytes());
        let odd = format!(
            "{unsigned}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        );
        assert!(matches!(key.verify(&odd, NOW), Err(JwtError::Malformed(_))));
    }
}
