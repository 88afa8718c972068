//! Periods (SPEC §4): `2026-10`, `2026-Q3`, `2026-H1`, `2026`, `2026-W42`, ranges
//! `2026-01..2026-06`, fiscal periods `FY2026-Q1`, and days `2026-07-01..2026-08-15`
//! (a period so far: from its start to a day, what early warnings read).
//!
//! A [`Period`] is a half-open date interval with the grain it was named in, so it
//! prints back as it was written and knows its previous period (环比) and the same
//! period a year earlier (同比). A fiscal year is named by the calendar year in
//! which it ends: with April as first month, FY2026 runs 2025-04-01..2026-03-31.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::fmt;
use std::str::FromStr;

/// What a period is named in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Half,
    Year,
}

impl Grain {
    fn months(self) -> u32 {
        match self {
            Grain::Day | Grain::Week => 0,
            Grain::Month => 1,
            Grain::Quarter => 3,
            Grain::Half => 6,
            Grain::Year => 12,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    start: NaiveDate,
    /// Exclusive.
    end: NaiveDate,
    grain: Grain,
    /// `Some(first month)` for fiscal periods.
    fiscal: Option<u32>,
    /// Spans several periods of its grain (`2026-01..2026-06`).
    range: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid period '{input}': {reason}; expected 2026-10, 2026-Q3, 2026-H1, 2026, 2026-W42, 2026-01..2026-06, FY2026-Q1 or 2026-07-01..2026-08-15"
)]
pub struct PeriodError {
    input: String,
    reason: String,
}

fn first_of_month(year: i32, month0: i32) -> Option<NaiveDate> {
    let total = year * 12 + month0;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
}

fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    first_of_month(date.year(), date.month0() as i32 + months).unwrap_or(date)
}

impl Period {
    /// Parses a period, with fiscal years starting in `fiscal_first_month` (1–12).
    pub fn parse_fiscal(input: &str, fiscal_first_month: u32) -> Result<Period, PeriodError> {
        let error = |reason: &str| PeriodError { input: input.to_owned(), reason: reason.to_owned() };
        let text = input.trim();
        if let Some((a, b)) = text.split_once("..") {
            let first = Period::parse_fiscal(a, fiscal_first_month)?;
            let last = Period::parse_fiscal(b, fiscal_first_month)?;
            if first.range || last.range || first.grain != last.grain || first.fiscal != last.fiscal {
                return Err(error("both ends of a range must be periods of the same kind"));
            }
            if last.start < first.start {
                return Err(error("the range ends before it starts"));
            }
            return Ok(Period { end: last.end, range: first != last, ..first });
        }
        let (fiscal, body) = match text.strip_prefix("FY").or_else(|| text.strip_prefix("fy")) {
            Some(rest) => {
                if !(1..=12).contains(&fiscal_first_month) {
                    return Err(error("the fiscal year's first month must be 1 to 12"));
                }
                (Some(fiscal_first_month), rest)
            }
            None => (None, text),
        };
        let body = body.replace('年', "-").replace('月', "");
        let body = body.trim_end_matches('-');
        let (year_text, rest) = body.split_once('-').unwrap_or((body, ""));
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error("the year must have four digits"));
        }
        let year: i32 = year_text.parse().map_err(|_| error("bad year"))?;
        let number = |s: &str, max: u32, what: &str| -> Result<u32, PeriodError> {
            match s.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(error(&format!("{what} must be 1 to {max}"))),
            }
        };
        // A fiscal year ending in `year` starts in the first month one year earlier
        // (unless it starts in January).
        let year_start = match fiscal {
            Some(1) | None => first_of_month(year, 0),
            Some(m) => first_of_month(year - 1, m as i32 - 1),
        }
        .ok_or_else(|| error("year out of range"))?;
        let upper = rest.to_ascii_uppercase();
        if rest.contains('-') && fiscal.is_none() {
            let day = NaiveDate::parse_from_str(body, "%Y-%m-%d").map_err(|_| error("not a day (2026-07-01)"))?;
            return Ok(Period::day_range(day, day));
        }
        let (grain, start) = if rest.is_empty() {
            (Grain::Year, year_start)
        } else if let Some(q) = upper.strip_prefix('Q') {
            let q = number(q, 4, "the quarter")?;
            (Grain::Quarter, add_months(year_start, 3 * (q as i32 - 1)))
        } else if let Some(h) = upper.strip_prefix('H') {
            let h = number(h, 2, "the half")?;
            (Grain::Half, add_months(year_start, 6 * (h as i32 - 1)))
        } else if let Some(w) = upper.strip_prefix('W') {
            if fiscal.is_some() {
                return Err(error("weeks are ISO weeks, not fiscal"));
            }
            let w = number(w, 53, "the week")?;
            let monday = NaiveDate::from_isoywd_opt(year, w, Weekday::Mon)
                .ok_or_else(|| error(&format!("{year} has no ISO week {w}")))?;
            let end = monday + Duration::days(7);
            return Ok(Period { start: monday, end, grain: Grain::Week, fiscal: None, range: false });
        } else {
            if fiscal.is_some() {
                return Err(error("fiscal periods are FY2026, FY2026-Q1 or FY2026-H1"));
            }
            let m = number(rest, 12, "the month")?;
            (Grain::Month, add_months(year_start, m as i32 - 1))
        };
        let end = add_months(start, grain.months() as i32);
        Ok(Period { start, end, grain, fiscal, range: false })
    }

    /// The days from `first` to `last`, both included (one day when equal).
    pub fn day_range(first: NaiveDate, last: NaiveDate) -> Period {
        let end = last.max(first) + Duration::days(1);
        Period { start: first, end, grain: Grain::Day, fiscal: None, range: end - first > Duration::days(1) }
    }

    /// The days of this period up to and including `day`: the period so far
    /// (itself once `day` is its last day or later).
    pub fn to_day(&self, day: NaiveDate) -> Period {
        if day >= self.last_day() { *self } else { Period::day_range(self.start, day.max(self.start)) }
    }

    /// The calendar month holding `date`.
    pub fn month_of(date: NaiveDate) -> Period {
        let start = first_of_month(date.year(), date.month0() as i32).unwrap_or(date);
        Period { start, end: add_months(start, 1), grain: Grain::Month, fiscal: None, range: false }
    }

    /// The latest calendar quarter whose last month is not after `date`'s month:
    /// the last complete quarter of data that runs to `date`.
    pub fn last_quarter_through(date: NaiveDate) -> Period {
        let month0 = date.month0() as i32;
        let start = first_of_month(date.year(), month0 - month0 % 3).unwrap_or(date);
        let quarter = Period { start, end: add_months(start, 3), grain: Grain::Quarter, fiscal: None, range: false };
        if month0 % 3 == 2 { quarter } else { quarter.previous() }
    }

    /// The calendar quarter holding `date`.
    pub fn quarter_of(date: NaiveDate) -> Period {
        let month0 = date.month0() as i32;
        let start = first_of_month(date.year(), month0 - month0 % 3).unwrap_or(date);
        Period { start, end: add_months(start, 3), grain: Grain::Quarter, fiscal: None, range: false }
    }

    /// The grain the period is named in; `None` for a range of several.
    pub fn grain(&self) -> Option<Grain> {
        (!self.range).then_some(self.grain)
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The day after the period's last day.
    pub fn end_exclusive(&self) -> NaiveDate {
        self.end
    }

    /// The period's last day.
    pub fn last_day(&self) -> NaiveDate {
        self.end - Duration::days(1)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// The period of the same length just before this one (环比).
    pub fn previous(&self) -> Period {
        self.shift(-1)
    }

    /// The period of the same length just after this one.
    pub fn next(&self) -> Period {
        self.shift(1)
    }

    /// The calendar months that make up the period, in order (a week or a
    /// range of days: the months it touches).
    pub fn months(&self) -> Vec<Period> {
        let mut months = vec![Period::month_of(self.start())];
        while months.last().expect("one").end_exclusive() < self.end_exclusive() {
            let next = months.last().expect("one").next();
            months.push(next);
        }
        months
    }

    /// The same period one year earlier (同比).
    pub fn year_ago(&self) -> Period {
        match self.grain {
            Grain::Day => {
                let back = |day: NaiveDate| day - chrono::Months::new(12);
                Period { start: back(self.start), end: back(self.last_day()) + Duration::days(1), ..*self }
            }
            Grain::Week => {
                let weeks = self.days() / 7;
                let iso = self.start.iso_week();
                let week = iso.week().min(weeks_in_iso_year(iso.year() - 1));
                let start = NaiveDate::from_isoywd_opt(iso.year() - 1, week, Weekday::Mon).unwrap_or(self.start);
                Period { start, end: start + Duration::days(7 * weeks), ..*self }
            }
            _ => Period { start: add_months(self.start, -12), end: add_months(self.end, -12), ..*self },
        }
    }

    fn shift(&self, direction: i32) -> Period {
        match self.grain {
            Grain::Day | Grain::Week => {
                let length = Duration::days(self.days() * direction as i64);
                Period { start: self.start + length, end: self.end + length, ..*self }
            }
            _ => {
                let months = months_between(self.start, self.end) * direction;
                Period { start: add_months(self.start, months), end: add_months(self.end, months), ..*self }
            }
        }
    }

    fn label_at(&self, start: NaiveDate) -> String {
        let prefix = if self.fiscal.is_some() { "FY" } else { "" };
        // The fiscal year is named by the calendar year of its last month.
        let (year, month0) = match self.fiscal {
            Some(m) if m > 1 => {
                let offset = (start.month0() as i32 - (m as i32 - 1)).rem_euclid(12);
                let fy_start = add_months(start, -offset);
                (fy_start.year() + 1, offset as u32)
            }
            _ => (start.year(), start.month0()),
        };
        match self.grain {
            Grain::Day => start.format("%Y-%m-%d").to_string(),
            Grain::Week => {
                let iso = start.iso_week();
                format!("{}-W{:02}", iso.year(), iso.week())
            }
            Grain::Month => format!("{year}-{:02}", month0 + 1),
            Grain::Quarter => format!("{prefix}{year}-Q{}", month0 / 3 + 1),
            Grain::Half => format!("{prefix}{year}-H{}", month0 / 6 + 1),
            Grain::Year => format!("{prefix}{year}"),
        }
    }
}

fn months_between(start: NaiveDate, end: NaiveDate) -> i32 {
    (end.year() - start.year()) * 12 + end.month0() as i32 - start.month0() as i32
}

fn weeks_in_iso_year(year: i32) -> u32 {
    NaiveDate::from_ymd_opt(year, 12, 28).map_or(52, |d| d.iso_week().week())
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_at(self.start))?;
        if self.range {
            let last_start = match self.grain {
                Grain::Day => self.end - Duration::days(1),
                Grain::Week => self.end - Duration::days(7),
                grain => add_months(self.end, -(grain.months() as i32)),
            };
            write!(f, "..{}", self.label_at(last_start))?;
        }
        Ok(())
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    /// Parses a calendar period (fiscal forms assume a January fiscal year).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse_fiscal(s, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_form_parses_to_its_bounds_and_prints_back() {
        let cases = [
            ("2026-10", d(2026, 10, 1), d(2026, 11, 1)),
            ("2026-Q3", d(2026, 7, 1), d(2026, 10, 1)),
            ("2026-H1", d(2026, 1, 1), d(2026, 7, 1)),
            ("2026", d(2026, 1, 1), d(2027, 1, 1)),
            ("2026-W42", d(2026, 10, 12), d(2026, 10, 19)),
            ("2026-01..2026-06", d(2026, 1, 1), d(2026, 7, 1)),
            ("2025-Q4..2026-Q1", d(2025, 10, 1), d(2026, 4, 1)),
        ];
        for (text, start, end) in cases {
            let period = p(text);
            assert_eq!((period.start(), period.end_exclusive()), (start, end), "{text}");
            assert_eq!(period.to_string(), text);
        }
        assert_eq!(p("2026年10月").to_string(), "2026-10");
        assert_eq!(p("2026-q3").to_string(), "2026-Q3");
        assert_eq!(p("2026-10..2026-10").to_string(), "2026-10");
    }

    #[test]
    fn a_period_so_far_is_a_range_of_days_with_its_own_previous_and_year_ago() {
        let so_far = p("2026-Q3").to_day(d(2026, 8, 15));
        assert_eq!(so_far.to_string(), "2026-07-01..2026-08-15");
        assert_eq!((so_far.start(), so_far.end_exclusive(), so_far.days()), (d(2026, 7, 1), d(2026, 8, 16), 46));
        assert_eq!(p("2026-07-01..2026-08-15"), so_far);
        assert_eq!(so_far.previous().to_string(), "2026-05-16..2026-06-30");
        assert_eq!(so_far.year_ago().to_string(), "2025-07-01..2025-08-15");
        assert_eq!(p("2026-Q3").to_day(d(2026, 9, 30)), p("2026-Q3"));
        assert_eq!(p("2026-Q3").to_day(d(2026, 6, 1)).to_string(), "2026-07-01");
        assert_eq!(p("2026-07-01").days(), 1);
        let error = "2026-13-01".parse::<Period>().unwrap_err().to_string();
        assert!(error.contains("'2026-13-01'") && error.contains("not a day"), "{error}");
    }

    #[test]
    fn the_month_and_quarter_of_a_day() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(Period::quarter_of(day("2026-04-01")).to_string(), "2026-Q2");
        assert_eq!(Period::quarter_of(day("2026-09-30")).to_string(), "2026-Q3");
        assert_eq!(Period::quarter_of(day("2026-04-01")).previous().to_string(), "2026-Q1");
        assert_eq!(Period::month_of(day("2026-12-31")).to_string(), "2026-12");
    }

    #[test]
    fn previous_and_year_ago_keep_the_length() {
        assert_eq!(p("2026-Q1").previous().to_string(), "2025-Q4");
        assert_eq!(p("2026-01").previous().to_string(), "2025-12");
        assert_eq!(p("2026-H1").previous().to_string(), "2025-H2");
        assert_eq!(p("2026").previous().to_string(), "2025");
        assert_eq!(p("2026-W01").previous().to_string(), "2025-W52");
        assert_eq!(p("2026-01..2026-06").previous().to_string(), "2025-07..2025-12");
        assert_eq!(p("2026-Q3").year_ago().to_string(), "2025-Q3");
        assert_eq!(p("2026-Q4").next().to_string(), "2027-Q1");
        assert_eq!(p("2026-W52").next().to_string(), "2026-W53");
        assert_eq!(p("2026-W42").year_ago().to_string(), "2025-W42");
        // 2026 has 53 ISO weeks, 2025 only 52.
        assert_eq!(p("2026-W53").year_ago().to_string(), "2025-W52");
        assert_eq!(p("2026-02").year_ago().days(), 28);
    }

    #[test]
    fn fiscal_years_are_named_by_their_last_calendar_year() {
        let q1 = Period::parse_fiscal("FY2026-Q1", 4).unwrap();
        assert_eq!((q1.start(), q1.end_exclusive()), (d(2025, 4, 1), d(2025, 7, 1)));
        assert_eq!(q1.to_string(), "FY2026-Q1");
        assert_eq!(q1.previous().to_string(), "FY2025-Q4");
        let fy = Period::parse_fiscal("FY2026", 4).unwrap();
        assert_eq!((fy.start(), fy.last_day()), (d(2025, 4, 1), d(2026, 3, 31)));
        assert_eq!(Period::parse_fiscal("FY2026-Q1", 1).unwrap().start(), d(2026, 1, 1));
    }

    #[test]
    fn bad_periods_say_what_was_expected() {
        for bad in [
            "2026-13",
            "2026-Q5",
            "26-Q1",
            "2026-W54",
            "2025-W53",
            "2026-06..2026-01",
            "2026-Q1..2026-03",
            "last month",
            "FY2026-W01",
            "",
        ] {
            let error = bad.parse::<Period>().unwrap_err().to_string();
            assert!(error.contains("expected 2026-10"), "{bad}: {error}");
        }
        assert!(p("2026-Q3").contains(d(2026, 9, 30)));
        assert!(!p("2026-Q3").contains(d(2026, 10, 1)));
    }

    #[test]
    fn month_of_and_last_quarter_through_a_date() {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Period::month_of(date("2026-02-28")).to_string(), "2026-02");
        assert_eq!(Period::month_of(date("2026-02-28")).end_exclusive(), date("2026-03-01"));
        assert_eq!(Period::last_quarter_through(date("2026-09-01")).to_string(), "2026-Q3");
        assert_eq!(Period::last_quarter_through(date("2026-10-31")).to_string(), "2026-Q3");
        assert_eq!(Period::last_quarter_through(date("2026-02-10")).to_string(), "2025-Q4");
    }
}
