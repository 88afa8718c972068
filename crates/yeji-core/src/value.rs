//! Cleaning one raw cell into a typed value (seed 000 §3.2.1: 清洗, 归一化).
//!
//! Amounts are parsed straight into [`Decimal`]: `1,234.50`, `¥1,234.50`, `1.2e3`,
//! `(100)` and `15%` are all accepted, and no amount passes through a float.

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

use crate::contract::ColumnType;
use crate::period::Period;

/// Decimal places kept for amounts and quantities; more are rounded half-even.
pub const DECIMAL_SCALE: u32 = 4;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Date(NaiveDate),
    Decimal(Decimal),
    Integer(i64),
    Bool(bool),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Decimal(d) => Some(*d),
            _ => None,
        }
    }
}

/// Why a cell was rejected; the caller adds file, line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("expected a date like 2026-09-03, 2026/9/3 or 2026年9月3日")]
    NotADate,
    #[error("no such day: {0}")]
    NoSuchDay(String),
    #[error("expected a number like 1234.50")]
    NotANumber,
    #[error("expected a whole number")]
    NotAnInteger,
    #[error("expected yes/no (true/false, 1/0, 是/否)")]
    NotABool,
    #[error("number too large")]
    TooLarge,
    #[error("expected one of: {0}")]
    NotALabel(String),
    #[error("{0}")]
    BadPeriod(String),
    #[error(
        "outside the accepted dates {earliest} to {latest} (a typo? the range is earliest_date and latest_date in workspace.toml)"
    )]
    OutOfRange { earliest: NaiveDate, latest: NaiveDate },
}

/// Options that change how cells are read, from the column mapping file and
/// the workspace's settings.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// A chrono format tried before the built-in date forms, e.g. `%d/%m/%Y`.
    pub date_format: Option<String>,
    /// The fiscal year's first month, for `FY2026-Q1` periods.
    pub fiscal_first_month: u32,
    pub ids: IdCase,
    /// The dates a fact may carry (none for master data, whose hire and
    /// creation dates may be old).
    pub dates: Option<DateRange>,
}

/// The plausible dates of a workspace's facts (SPEC §3: a date out of range
/// is rejected, not stored): a year-1900 or year-2999 order is a typo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRange {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
}

impl DateRange {
    fn check(&self, first: NaiveDate, last: NaiveDate) -> Result<(), ValueError> {
        if first < self.earliest || last > self.latest {
            return Err(ValueError::OutOfRange { earliest: self.earliest, latest: self.latest });
        }
        Ok(())
    }
}

/// How ids are kept. They are keys other systems know, so they are kept as
/// given (trimmed, full-width characters folded to half-width). Workspaces of
/// format 1 stored them upper-cased and keep doing so, so that their stored
/// ids and newly imported rows still meet; there ids are matched
/// case-insensitively everywhere (every id given to a command or a URL is
/// upper-cased the same way).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdCase {
    #[default]
    AsGiven,
    Upper,
}

impl IdCase {
    /// An id as this workspace stores it: `k01 `, `Ｋ01` → `k01` (as given)
    /// or `K01` (upper).
    pub fn normalise(self, raw: &str) -> String {
        let raw = trimmed(raw);
        let folded = if raw.is_ascii() { Cow::Borrowed(raw) } else { Cow::Owned(fold_width(raw).trim().to_owned()) };
        match self {
            IdCase::AsGiven => folded.into_owned(),
            IdCase::Upper if folded.is_ascii() => folded.to_ascii_uppercase(),
            IdCase::Upper => folded.to_uppercase(),
        }
    }
}

/// Cleans `raw` into a value of type `ty`; an empty cell is [`Value::Null`].
pub fn parse(raw: &str, ty: ColumnType, options: &ParseOptions) -> Result<Value, ValueError> {
    let raw = trimmed(raw);
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    Ok(match ty {
        ColumnType::Code => Value::Text(options.ids.normalise(raw)),
        ColumnType::Text => Value::Text(normalise_text(raw)),
        ColumnType::Date => {
            let date = parse_date(raw, options.date_format.as_deref())?;
            if let Some(range) = &options.dates {
                range.check(date, date)?;
            }
            Value::Date(date)
        }
        ColumnType::Decimal => Value::Decimal(parse_decimal(raw)?),
        ColumnType::Integer => Value::Integer(parse_integer(raw)?),
        ColumnType::Bool => Value::Bool(parse_bool(raw)?),
        ColumnType::Period => {
            let period = Period::parse_fiscal(&fold_width(raw), options.fiscal_first_month)
                .map_err(|e| ValueError::BadPeriod(e.to_string()))?;
            if let Some(range) = &options.dates {
                range.check(period.start(), period.last_day())?;
            }
            Value::Text(period.to_string())
        }
        ColumnType::Enum(labels) => {
            let text = tidy(raw);
            match labels.canonical(&text) {
                Some(canonical) => Value::Text(canonical.to_owned()),
                None if labels.open => Value::Text(text.to_lowercase()),
                None => return Err(ValueError::NotALabel(labels.names().join(", "))),
            }
        }
    })
}

/// `s` without the white space around it. Almost every cell starts and ends
/// with a visible ASCII character and is returned as it is, without decoding.
fn trimmed(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        [only] if only.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Folds full-width ASCII (ＡＢ１２, the ideographic space) to half-width.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Names keep their case but lose stray white space: `张  三 ` → `张 三`.
pub fn normalise_text(raw: &str) -> String {
    tidy(raw).into_owned()
}

/// [`normalise_text`], borrowing `raw` when it is already tidy.
fn tidy(raw: &str) -> Cow<'_, str> {
    let raw = trimmed(raw);
    let plain = |c: char| c == ' ' || !(c.is_whitespace() || ('\u{FF01}'..='\u{FF5E}').contains(&c));
    if raw.chars().all(plain) && !raw.contains("  ") {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(fold_width(raw).split_whitespace().collect::<Vec<_>>().join(" "))
}

pub fn parse_date(raw: &str, format: Option<&str>) -> Result<NaiveDate, ValueError> {
    if format.is_none()
        && let Some(date) = iso_date(trimmed(raw).as_bytes())
    {
        return date;
    }
    let raw = fold_width(raw);
    let raw = raw.trim();
    if let Some(format) = format
        && let Ok(date) = NaiveDate::parse_from_str(raw, format)
    {
        return Ok(date);
    }
    // A timestamp's time part is dropped: `2026-09-03 14:05:00` is that day.
    let day = raw.split(['T', ' ']).next().unwrap_or(raw);
    let parts: Vec<&str> = if day.contains('年') {
        day.trim_end_matches('日').split(['年', '月']).collect()
    } else if day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit()) {
        vec![&day[..4], &day[4..6], &day[6..]]
    } else {
        day.split(['-', '/', '.']).collect()
    };
    let [y, m, d] = parts[..] else {
        return Err(ValueError::NotADate);
    };
    let number = |s: &str| s.trim().parse::<u32>().map_err(|_| ValueError::NotADate);
    let (year, month, day_of_month) = (number(y)?, number(m)?, number(d)?);
    if y.trim().len() != 4 {
        return Err(ValueError::NotADate);
    }
    NaiveDate::from_ymd_opt(year as i32, month, day_of_month)
        .ok_or_else(|| ValueError::NoSuchDay(format!("{year:04}-{month:02}-{day_of_month:02}")))
}

/// `YYYY-MM-DD` read without allocating: the common case of large files.
fn iso_date(bytes: &[u8]) -> Option<Result<NaiveDate, ValueError>> {
    let digits = |range: std::ops::Range<usize>| {
        bytes[range].iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + (b - b'0') as u32))
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    Some(
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .ok_or_else(|| ValueError::NoSuchDay(format!("{year:04}-{month:02}-{day:02}"))),
    )
}

pub fn parse_decimal(raw: &str) -> Result<Decimal, ValueError> {
    let plain = trimmed(raw);
    if let Some(value) = plain_decimal(plain) {
        return Ok(value);
    }
    if !plain.is_empty()
        && plain.len() < 28
        && plain.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && let Ok(value) = Decimal::from_str(plain)
    {
        return checked(value);
    }
    let folded = fold_width(raw);
    let mut s = folded.trim();
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = &s[1..s.len() - 1];
    }
    let s = s.trim().trim_start_matches(['¥', '￥', '$', '€', '£']).trim();
    let (s, percent) = match s.strip_suffix('%') {
        Some(rest) => (rest.trim(), true),
        None => (s, false),
    };
    let cleaned: String = s.chars().filter(|c| *c != ',' && *c != '_').collect();
    if cleaned.is_empty() || cleaned.starts_with(['+', '-']) && negative {
        return Err(ValueError::NotANumber);
    }
    let valid = cleaned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !valid {
        return Err(ValueError::NotANumber);
    }
    let mut value = if cleaned.contains(['e', 'E']) {
        Decimal::from_scientific(&cleaned).map_err(|_| ValueError::NotANumber)?
    } else {
        Decimal::from_str(&cleaned).map_err(|e| match e {
            rust_decimal::Error::ExceedsMaximumPossibleValue | rust_decimal::Error::LessThanMinimumPossibleValue => {
                ValueError::TooLarge
            }
            _ => ValueError::NotANumber,
        })?
    };
    if percent {
        value /= Decimal::ONE_HUNDRED;
    }
    if negative {
        value = -value;
    }
    checked(value)
}

/// `-1234.5`: at most fourteen digits before the point and four after it, read
/// straight into the stored scale (the common case of large files).
fn plain_decimal(s: &str) -> Option<Decimal> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || whole.len() > 14 || fraction.len() > DECIMAL_SCALE as usize {
        return None;
    }
    let mut mantissa = 0i64;
    for b in whole.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + i64::from(b - b'0');
    }
    mantissa *= 10i64.pow(DECIMAL_SCALE - fraction.len() as u32);
    Some(Decimal::new(if negative { -mantissa } else { mantissa }, DECIMAL_SCALE))
}

/// Rounds to the stored scale and checks the stored range: Decimal128(18, 4)
/// holds fourteen digits before the point.
fn checked(value: Decimal) -> Result<Decimal, ValueError> {
    let value = value.round_dp(DECIMAL_SCALE);
    if value.abs() >= Decimal::from(100_000_000_000_000i64) {
        return Err(ValueError::TooLarge);
    }
    Ok(value)
}

pub fn parse_integer(raw: &str) -> Result<i64, ValueError> {
    if let Ok(value) = trimmed(raw).parse::<i64>() {
        return Ok(value);
    }
    let value = parse_decimal(raw).map_err(|_| ValueError::NotAnInteger)?;
    if !value.fract().is_zero() {
        return Err(ValueError::NotAnInteger);
    }
    i64::try_from(value).map_err(|_| ValueError::TooLarge)
}

pub fn parse_bool(raw: &str) -> Result<bool, ValueError> {
    match fold_width(raw).trim().to_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" | "是" | "在职" | "有效" => Ok(true),
        "false" | "f" | "no" | "n" | "0" | "否" | "离职" | "无效" => Ok(false),
        _ => Err(ValueError::NotABool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_in_every_common_spelling_parse_exactly() {
        assert_eq!(parse_decimal("1234.50"), Ok(dec("1234.50")));
        assert_eq!(parse_decimal("1,234.50"), Ok(dec("1234.50")));
        assert_eq!(parse_decimal("¥1,234.50"), Ok(dec("1234.50")));
        assert_eq!(parse_decimal("￥１，２３４.５"), Ok(dec("1234.5")));
        assert_eq!(parse_decimal("1.2e3"), Ok(dec("1200")));
        assert_eq!(parse_decimal("(100)"), Ok(dec("-100")));
        assert_eq!(parse_decimal("-7.25"), Ok(dec("-7.25")));
        assert_eq!(parse_decimal("15%"), Ok(dec("0.15")));
        assert_eq!(parse_decimal("0.1 + 0.2"), Err(ValueError::NotANumber));
        assert_eq!(parse_decimal("abc"), Err(ValueError::NotANumber));
        assert_eq!(parse_decimal("(-5)"), Err(ValueError::NotANumber));
        // 0.1 + 0.2 in floating point is 0.30000000000000004; here it stays exact.
        assert_eq!(parse_decimal("0.1").unwrap() + parse_decimal("0.2").unwrap(), dec("0.3"));
        assert_eq!(parse_decimal("1.23456"), Ok(dec("1.2346")));
        assert_eq!(parse_decimal("1e20"), Err(ValueError::TooLarge));
    }

    #[test]
    fn dates_in_chinese_and_slashed_forms_parse_and_impossible_days_are_named() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 3).unwrap();
        for raw in [
            "2026-09-03",
            "2026/9/3",
            "2026年9月3日",
            "2026.9.3",
            "20260903",
            "2026-09-03 14:05:00",
            "2026-09-03T08:00:00",
        ] {
            assert_eq!(parse_date(raw, None), Ok(d), "{raw}");
        }
        assert_eq!(parse_date("2026-02-30", None), Err(ValueError::NoSuchDay("2026-02-30".into())));
        assert_eq!(parse_date("3/9/26", None), Err(ValueError::NotADate));
        assert_eq!(parse_date("03/09/2026", Some("%d/%m/%Y")), Ok(d));
        assert_eq!(parse_date("yesterday", None), Err(ValueError::NotADate));
    }

    #[test]
    fn ids_are_kept_as_given_and_names_are_normalised() {
        assert_eq!(IdCase::AsGiven.normalise(" ｋ01 "), "k01");
        assert_eq!(IdCase::AsGiven.normalise("darcel_schlecht"), "darcel_schlecht");
        assert_eq!(IdCase::AsGiven.normalise("客户-Ａ1"), "客户-A1");
        assert_eq!(IdCase::Upper.normalise(" ｋ01 "), "K01");
        assert_eq!(IdCase::Upper.normalise("darcel_schlecht"), "DARCEL_SCHLECHT");
        assert_eq!(normalise_text("  张　 三 "), "张 三");
    }

    #[test]
    fn fact_dates_outside_the_range_are_rejected() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let range = DateRange { earliest: day("2000-01-01"), latest: day("2028-12-31") };
        let options = ParseOptions { dates: Some(range), ..ParseOptions::default() };
        let out = ValueError::OutOfRange { earliest: range.earliest, latest: range.latest };
        assert_eq!(parse("1900-01-01", ColumnType::Date, &options), Err(out.clone()));
        assert_eq!(parse("2999-03-01", ColumnType::Date, &options), Err(out.clone()));
        assert_eq!(parse("2026-03-01", ColumnType::Date, &options), Ok(Value::Date(day("2026-03-01"))));
        assert_eq!(parse("2029", ColumnType::Period, &options), Err(out));
        assert!(parse("1900-01-01", ColumnType::Date, &ParseOptions::default()).is_ok(), "master data: no range");
    }

    #[test]
    fn integers_and_bools() {
        assert_eq!(parse_integer("3"), Ok(3));
        assert_eq!(parse_integer("3.0"), Ok(3));
        assert_eq!(parse_integer("3.5"), Err(ValueError::NotAnInteger));
        assert_eq!(parse_bool("是"), Ok(true));
        assert_eq!(parse_bool("N"), Ok(false));
        assert_eq!(parse_bool("maybe"), Err(ValueError::NotABool));
    }

    #[test]
    fn enum_cells_become_canonical_labels() {
        let options = ParseOptions::default();
        let status = ColumnType::Enum(&crate::contract::ORDER_STATUSES);
        assert_eq!(parse("已取消", status, &options), Ok(Value::Text("cancelled".into())));
        assert!(matches!(parse("lost", status, &options), Err(ValueError::NotALabel(_))));
        let channel = ColumnType::Enum(&crate::contract::CHANNELS);
        assert_eq!(parse("Kiosk", channel, &options), Ok(Value::Text("kiosk".into())));
        assert_eq!(parse("", channel, &options), Ok(Value::Null));
    }

    proptest::proptest! {
        /// The fast path for plain amounts reads exactly what the general parser reads.
        #[test]
        fn plain_amounts_read_as_the_general_parser_reads_them(
            mantissa in -999_999_999_999_999_999_i64..=999_999_999_999_999_999,
            scale in 0u32..=4,
            padded in proptest::bool::ANY,
        ) {
            let text = Decimal::new(mantissa, scale).to_string();
            let cell = if padded { format!(" {text} ") } else { text.clone() };
            let general = Decimal::from_str(&text).map_err(|_| ValueError::NotANumber).and_then(checked);
            proptest::prop_assert_eq!(parse_decimal(&cell), general.clone());
            proptest::prop_assert_eq!(plain_decimal(&text), general.ok());
        }
    }

    #[test]
    fn cells_are_trimmed_of_ascii_and_wide_white_space() {
        assert_eq!(trimmed("K01"), "K01");
        assert_eq!(trimmed(" K01\t"), "K01");
        assert_eq!(trimmed("\u{3000}张三\u{3000}"), "张三");
        assert_eq!(trimmed("7"), "7");
        assert_eq!(trimmed(" "), "");
        assert_eq!(parse_decimal("12.34567"), Ok(dec("12.3457")));
        assert_eq!(parse_decimal("123456789012345"), Err(ValueError::TooLarge));
        assert_eq!(parse_integer(" 42 "), Ok(42));
    }
}
