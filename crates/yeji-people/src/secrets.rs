//! Secrets: passwords kept only as argon2 hashes (password-auth), random
//! tokens and one-time links kept only as SHA-256 hashes (they are long and
//! random, so a fast hash is enough and a lookup by hash is exact).

use sha2::{Digest, Sha256};

/// An argon2 hash of `password` (slow on purpose: call off the async threads).
pub fn hash_password(password: &str) -> String {
    password_auth::generate_hash(password)
}

/// Whether `password` matches `hash` (slow on purpose, as [`hash_password`]).
pub(crate) fn password_matches(password: &str, hash: &str) -> bool {
    password_auth::verify_password(password, hash).is_ok()
}

/// A new random secret of 32 bytes, as 64 hex digits.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the system's random source");
    hex(&bytes)
}

/// The hash a secret is kept and looked up by.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_argon2_hash_only() {
        let hash = hash_password("s3cret!");
        assert!(hash.starts_with("$argon2"), "{hash}");
        assert!(password_matches("s3cret!", &hash));
        assert!(!password_matches("S3cret!", &hash));
        assert_ne!(hash_password("s3cret!"), hash, "salted");
    }

    #[test]
    fn secrets_are_random_and_hashed_by_sha256() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(secret_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
