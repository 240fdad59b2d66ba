//! [`KeyedMac`]: an HMAC-SHA256 key, prepared once.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Secret;

/// The HMAC-SHA256 state right after keying (the padded key's two blocks hashed), so a request
/// clones it instead of hashing the key again. `Debug` shows it as a redacted [`Secret`].
#[derive(Clone)]
pub(crate) struct KeyedMac(Hmac<Sha256>);

impl KeyedMac {
    pub(crate) fn new(secret: Secret) -> Self {
        // Any key length is valid for HMAC, so this never fails.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        Self(mac)
    }

    /// A fresh MAC computation under this key.
    pub(crate) fn start(&self) -> Hmac<Sha256> {
        self.0.clone()
    }
}

impl fmt::Debug for KeyedMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_key_gives_the_same_tags_as_keying_each_time() {
        let keyed = KeyedMac::new(Secret::from("k3y"));
        for body in [&b""[..], b"{}", &[7; 200]] {
            let mut fresh = <Hmac<Sha256> as Mac>::new_from_slice(b"k3y").unwrap();
            fresh.update(body);
            let mut prepared = keyed.start();
            prepared.update(body);
            assert_eq!(
                prepared.finalize().into_bytes(),
                fresh.finalize().into_bytes()
            );
        }
        assert_eq!(format!("{keyed:?}"), "Secret([redacted])");
    }
}
