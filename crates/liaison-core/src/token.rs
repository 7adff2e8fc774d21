//! Random secrets (session ids, personal access tokens, recovery codes) and their stored digests.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the thread CSPRNG (ChaCha, seeded by the OS), hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// The SHA-256 digest (hex) under which a secret token is stored, so a database leak yields no tokens.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_long_unique_and_stored_as_digests() {
        let tokens: HashSet<String> = (0..1000).map(|_| random_hex(32)).collect();
        assert_eq!(tokens.len(), 1000);
        assert!(tokens.iter().all(|t| t.len() == 64));
        let token = random_hex(32);
        assert_ne!(digest(&token), token);
        assert_eq!(digest(&token), digest(&token));
    }
}
