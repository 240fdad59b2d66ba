//! Profiles: several Capillary clusters or orgs in one config file, chosen with `--profile`
//! or `ENS_PROFILE`. Flags and `ENS_API_*` variables still win over the profile.
//!
//! The file is `$ENS_CONFIG`, else `$XDG_CONFIG_HOME/ens/config.toml`, else
//! `~/.config/ens/config.toml`:
//!
//! ```toml
//! default_profile = "eu-prod"
//!
//! [profiles.eu-prod]
//! api_url = "https://eu.api.capillarytech.com"
//! user = "api.user"
//! password_env = "EU_PROD_ENS_PASSWORD"   # the variable holding the password
//!
//! [profiles.in-staging]
//! api_url = "https://apac2.api.capillarytech.com"
//! token_env = "IN_STAGING_ENS_TOKEN"
//! ```
//!
//! `password` and `token` may be written in the file itself; prefer the `_env` forms so the
//! file holds no secret.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::secret_arg::SecretArg;

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// The profile used when none is named.
    #[serde(default)]
    default_profile: Option<String>,
    /// The profiles by name.
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One cluster and org, and how to authenticate there.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub(crate) api_url: Option<String>,
    pub(crate) user: Option<String>,
    password: Option<SecretArg>,
    password_env: Option<String>,
    token: Option<SecretArg>,
    token_env: Option<String>,
    pub(crate) timeout: Option<u64>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("api_url", &self.api_url)
            .field("user", &self.user)
            .field("password_env", &self.password_env)
            .field("token_env", &self.token_env)
            .finish_non_exhaustive()
    }
}

impl Profile {
    /// The password, from the file or the named variable.
    pub(crate) fn password(&self) -> Option<SecretArg> {
        secret(self.password.as_ref(), self.password_env.as_deref())
    }

    /// The token, from the file or the named variable.
    pub(crate) fn token(&self) -> Option<SecretArg> {
        secret(self.token.as_ref(), self.token_env.as_deref())
    }
}

fn secret(inline: Option<&SecretArg>, variable: Option<&str>) -> Option<SecretArg> {
    inline.cloned().or_else(|| {
        std::env::var(variable?)
            .ok()
            .and_then(|value| value.parse().ok())
    })
}

/// Where the config file is.
pub(crate) fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ENS_CONFIG").filter(|path| !path.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("ens").join("config.toml"))
}

/// The profile `name` (or the file's default one); `Ok(None)` when no profile applies.
pub(crate) fn load(name: Option<&str>) -> Result<Option<Profile>, String> {
    let Some(path) = config_path() else {
        return match name {
            Some(name) => Err(format!("profile `{name}`: no config file (set ENS_CONFIG)")),
            None => Ok(None),
        };
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && name.is_none() => {
            return Ok(None);
        }
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    let mut config: Config = toml::from_str(&text)
        .map_err(|error| format!("{} is not a valid config file: {error}", path.display()))?;
    let Some(wanted) = name.map(str::to_owned).or(config.default_profile.clone()) else {
        return Ok(None);
    };
    let known: Vec<String> = config.profiles.keys().cloned().collect();
    config.profiles.remove(&wanted).map(Some).ok_or_else(|| {
        format!(
            "no profile `{wanted}` in {} (profiles: {})",
            path.display(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_reads_and_never_shows_secrets() {
        let config: Config = toml::from_str(
            r#"
            default_profile = "eu"
            [profiles.eu]
            api_url = "https://eu.api.capillarytech.com"
            user = "u"
            password = "pw-in-file"
            "#,
        )
        .unwrap();
        let profile = &config.profiles["eu"];
        assert_eq!(profile.password().unwrap().expose(), "pw-in-file");
        assert!(!format!("{config:?}").contains("pw-in-file"));
        assert!(toml::from_str::<Config>("[profiles.x]\nnope = 1").is_err());
    }
}
