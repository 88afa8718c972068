//! Decimals in a plan file as they are written: `0.05`, `500000` or
//! `"0.05"`. A TOML float goes through its shortest text, so 0.05 is the
//! decimal 0.05 and never 0.05000000000000000277 (the binary float).

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    Integer(i64),
    Float(f64),
    Text(String),
}

fn parse(written: Written) -> Result<Decimal, String> {
    let text = match written {
        Written::Integer(i) => return Ok(Decimal::from(i)),
        Written::Float(f) if f.is_finite() => f.to_string(),
        Written::Float(f) => return Err(format!("{f} is not a number")),
        Written::Text(text) => text,
    };
    text.trim().parse().map_err(|_| format!("'{text}' is not a number"))
}

pub(crate) fn decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    parse(Written::deserialize(deserializer)?).map_err(serde::de::Error::custom)
}

pub(crate) fn optional_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    Option::<Written>::deserialize(deserializer)?.map(parse).transpose().map_err(serde::de::Error::custom)
}
