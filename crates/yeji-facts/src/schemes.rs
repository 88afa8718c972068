//! The workspace's scoring schemes (SPEC §6): saved as numbered versions in the
//! catalog; the newest is current, and the built-in default serves until one is saved.

use serde::Serialize;
use yeji_core::scheme::Scheme;
use yeji_store::SchemeVersion;

use crate::workspace::Workspace;
use crate::{FactsError, Result};

/// The scheme evaluations use, and its version (`None`: the built-in default).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct CurrentScheme {
    pub version: Option<i64>,
    /// The scheme as `yeji scheme show` prints it (TOML fields).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub scheme: Scheme,
}

impl Workspace {
    pub async fn current_scheme(&self) -> Result<CurrentScheme> {
        match self.catalog.schemes().await?.pop() {
            Some(saved) => Ok(CurrentScheme { version: Some(saved.version), scheme: Scheme::parse(&saved.toml)? }),
            None => Ok(CurrentScheme { version: None, scheme: Scheme::default_scheme() }),
        }
    }

    /// Validates and saves `scheme` as the next version, which becomes current.
    pub async fn save_scheme(&self, scheme: &Scheme, actor: &str) -> Result<i64> {
        scheme.validate()?;
        let _writing = self.writing().await?;
        Ok(self.catalog.save_scheme(&scheme.name, &scheme.to_toml(), actor).await?)
    }

    pub async fn scheme_versions(&self) -> Result<Vec<SchemeVersion>> {
        Ok(self.catalog.schemes().await?)
    }

    pub async fn scheme_version(&self, version: i64) -> Result<Scheme> {
        let saved = self.catalog.schemes().await?.into_iter().find(|s| s.version == version);
        Ok(Scheme::parse(&saved.ok_or(FactsError::NoSuchScheme(version))?.toml)?)
    }
}
