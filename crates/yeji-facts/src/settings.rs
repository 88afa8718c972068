//! `workspace.toml`: the settings a workspace is created with.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use yeji_core::value::{DateRange, IdCase};

use crate::{FactsError, Result};

/// The on-disk format this build reads and writes. Format 2 keeps ids as
/// given; format 1 upper-cased them (its workspaces still do, see [`IdCase`]).
pub const FORMAT: u32 = 2;

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
    /// How ids are kept; missing in format 1, whose workspaces upper-case them.
    #[serde(default)]
    pub ids: Option<IdCase>,
    /// The earliest date a fact may carry (SPEC §3: rows dated outside the
    /// range are rejected).
    #[serde(default = "default_earliest", deserialize_with = "date")]
    pub earliest_date: NaiveDate,
    /// The latest; by default the last day of the year after next.
    #[serde(default, deserialize_with = "optional_date")]
    pub latest_date: Option<NaiveDate>,
    /// The PostgreSQL catalog a team shares (`postgres://…`); by default the
    /// catalog is `catalog.sqlite` in the workspace. `YEJI_CATALOG_URL` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
}

fn default_earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date")
}

/// A date written as a TOML date (`2030-06-30`) or as a string.
fn date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Date(toml::value::Datetime),
        Text(String),
    }
    let text = match Written::deserialize(deserializer)? {
        Written::Date(date) => date.to_string(),
        Written::Text(text) => text,
    };
    text.parse().map_err(|_| serde::de::Error::custom(format!("'{text}' is not a date like 2030-06-30")))
}

fn optional_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<NaiveDate>, D::Error> {
    date(deserializer).map(Some)
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            format: FORMAT,
            name: "yeji".into(),
            currency: "CNY".into(),
            fiscal_year_first_month: 1,
            locale: "zh-CN".into(),
            ids: Some(IdCase::AsGiven),
            earliest_date: default_earliest(),
            latest_date: None,
            catalog: None,
        }
    }
}

impl Settings {
    pub fn parse(text: &str) -> Result<Settings> {
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        let format: Format = toml::from_str(text).map_err(|e| FactsError::Settings(e.to_string()))?;
        if format.format > FORMAT {
            return Err(FactsError::NewerFormat { found: format.format, supported: FORMAT });
        }
        let mut settings: Settings = toml::from_str(text).map_err(|e| FactsError::Settings(e.to_string()))?;
        if settings.ids.is_none() {
            settings.ids = Some(if settings.format < 2 { IdCase::Upper } else { IdCase::AsGiven });
        }
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<()> {
        if !(1..=12).contains(&self.fiscal_year_first_month) {
            return Err(FactsError::Settings(format!(
                "fiscal_year_first_month must be 1 to 12, not {}",
                self.fiscal_year_first_month
            )));
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FactsError::Settings(format!(
                "currency must be a three-letter code like CNY, not '{}'",
                self.currency
            )));
        }
        if !matches!(self.locale.as_str(), "zh-CN" | "en") {
            return Err(FactsError::Settings(format!("locale must be zh-CN or en, not '{}'", self.locale)));
        }
        if let Some(latest) = self.latest_date.filter(|l| *l < self.earliest_date) {
            return Err(FactsError::Settings(format!(
                "latest_date {latest} is before earliest_date {}",
                self.earliest_date
            )));
        }
        Ok(())
    }

    /// How this workspace keeps ids.
    pub fn id_case(&self) -> IdCase {
        self.ids.unwrap_or(IdCase::AsGiven)
    }

    /// An id given to a command or in a URL, as this workspace stores ids.
    pub fn id(&self, raw: &str) -> String {
        self.id_case().normalise(raw)
    }

    /// The dates a fact imported on `today` may carry.
    pub fn dates(&self, today: NaiveDate) -> DateRange {
        let latest =
            self.latest_date.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year() + 2, 12, 31).expect("a date"));
        DateRange { earliest: self.earliest_date, latest }
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
        let newer = settings.to_toml().replace("format = 2", "format = 7");
        assert_eq!(
            Settings::parse(&newer).unwrap_err().to_string(),
            "the workspace has format 7; this yeji reads format 2: upgrade yeji"
        );
        let bad = settings.to_toml().replace("fiscal_year_first_month = 4", "fiscal_year_first_month = 13");
        assert!(Settings::parse(&bad).unwrap_err().to_string().contains("1 to 12"));
    }

    #[test]
    fn format_1_workspaces_keep_upper_casing_their_ids() {
        let old = "format = 1\nname = \"x\"\ncurrency = \"CNY\"\nfiscal_year_first_month = 1\nlocale = \"zh-CN\"\n";
        let settings = Settings::parse(old).unwrap();
        assert_eq!(settings.id_case(), IdCase::Upper);
        assert_eq!(settings.id("darcel_schlecht"), "DARCEL_SCHLECHT");
        assert_eq!(Settings::default().id("darcel_schlecht"), "darcel_schlecht");
    }

    #[test]
    fn the_date_range_defaults_to_2000_through_the_year_after_next() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let range = Settings::default().dates(today);
        assert_eq!((range.earliest.to_string(), range.latest.to_string()), ("2000-01-01".into(), "2028-12-31".into()));
        let text = Settings::default().to_toml() + "latest_date = 2030-06-30\n";
        assert_eq!(Settings::parse(&text).unwrap().dates(today).latest.to_string(), "2030-06-30");
    }
}
