//! `workspace.toml`: the settings a workspace is created with.

use serde::{Deserialize, Serialize};

use crate::{EngineError, Result};

/// The on-disk format this build reads and writes.
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub format: u32,
    pub name: String,
    /// ISO 4217 code of the one currency of every amount.
    pub currency: String,
    /// 1 for calendar years; 4 for fiscal years starting in April.
    pub fiscal_year_first_month: u32,
    /// `zh-CN` or `en`.
    pub locale: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            format: FORMAT,
            name: "yeji".into(),
            currency: "CNY".into(),
            fiscal_year_first_month: 1,
            locale: "zh-CN".into(),
        }
    }
}

impl Settings {
    pub fn parse(text: &str) -> Result<Settings> {
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        let format: Format = toml::from_str(text).map_err(|e| EngineError::Settings(e.to_string()))?;
        if format.format > FORMAT {
            return Err(EngineError::NewerFormat { found: format.format, supported: FORMAT });
        }
        let settings: Settings = toml::from_str(text).map_err(|e| EngineError::Settings(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<()> {
        if !(1..=12).contains(&self.fiscal_year_first_month) {
            return Err(EngineError::Settings(format!(
                "fiscal_year_first_month must be 1 to 12, not {}",
                self.fiscal_year_first_month
            )));
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(EngineError::Settings(format!(
                "currency must be a three-letter code like CNY, not '{}'",
                self.currency
            )));
        }
        if !matches!(self.locale.as_str(), "zh-CN" | "en") {
            return Err(EngineError::Settings(format!("locale must be zh-CN or en, not '{}'", self.locale)));
        }
        Ok(())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("settings serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_newer_formats_are_refused() {
        let settings = Settings { fiscal_year_first_month: 4, ..Settings::default() };
        assert_eq!(Settings::parse(&settings.to_toml()).unwrap(), settings);
        let newer = settings.to_toml().replace("format = 1", "format = 7");
        assert_eq!(
            Settings::parse(&newer).unwrap_err().to_string(),
            "the workspace has format 7; this yeji reads format 1: upgrade yeji"
        );
        let bad = settings.to_toml().replace("fiscal_year_first_month = 4", "fiscal_year_first_month = 13");
        assert!(Settings::parse(&bad).unwrap_err().to_string().contains("1 to 12"));
    }
}
