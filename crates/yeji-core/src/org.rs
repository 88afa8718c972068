//! The organisation (SPEC §3): the tree of org units and each rep's history of
//! rows (a rep who moves team gets a new row from `effective_from`). Every
//! question of "who belongs where" is answered here: the unit a rep was in on
//! a day (results credit the unit at the time of the sale), the units above
//! or below a unit, the region of a unit, the company.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;

/// One org unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgUnit {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    /// company, region, team, store, …
    pub kind: Option<String>,
}

impl OrgUnit {
    /// The company for a top unit, else a unit.
    pub fn level(&self) -> crate::Level {
        if self.parent.is_none() { crate::Level::Company } else { crate::Level::Unit }
    }
}

/// One row of reps.csv: a rep as from `effective_from` (or always).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub manager: Option<String>,
    pub hire_date: Option<NaiveDate>,
    /// junior, senior, lead, …
    pub level: Option<String>,
    /// Monthly base salary.
    pub base_salary: Option<Decimal>,
    pub active: bool,
    pub effective_from: Option<NaiveDate>,
}

impl RepRow {
    /// An active rep of `unit` with nothing else known (the level, salary,
    /// manager and dates unset).
    pub fn new(id: &str, name: &str, unit: &str) -> RepRow {
        RepRow {
            id: id.into(),
            name: name.into(),
            unit: unit.into(),
            manager: None,
            hire_date: None,
            level: None,
            base_salary: None,
            active: true,
            effective_from: None,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Org {
    /// In the order they were given (the order of org_units.csv).
    units: Vec<OrgUnit>,
    unit_at: HashMap<String, usize>,
    /// Each rep's rows, earliest first (a row without a start comes first);
    /// looked up for every fact row written, hence the fast hash.
    reps: HashMap<String, Vec<RepRow>>,
}

impl Org {
    pub fn new(units: impl IntoIterator<Item = OrgUnit>, reps: impl IntoIterator<Item = RepRow>) -> Org {
        let units: Vec<OrgUnit> = units.into_iter().collect();
        let unit_at = units.iter().enumerate().map(|(at, u)| (u.id.clone(), at)).collect();
        let mut by_rep: HashMap<String, Vec<RepRow>> = HashMap::default();
        for row in reps {
            by_rep.entry(row.id.clone()).or_default().push(row);
        }
        for rows in by_rep.values_mut() {
            rows.sort_by_key(|r| r.effective_from);
        }
        Org { units, unit_at, reps: by_rep }
    }

    pub fn unit(&self, id: &str) -> Option<&OrgUnit> {
        self.unit_at.get(id).map(|&at| &self.units[at])
    }

    /// Every unit, in the order given.
    pub fn units(&self) -> impl Iterator<Item = &OrgUnit> {
        self.units.iter()
    }

    /// The company: the unit without a parent (the lowest id if the tree has several).
    pub fn root(&self) -> Option<&str> {
        self.roots().min()
    }

    /// The units without a parent.
    pub fn roots(&self) -> impl Iterator<Item = &str> {
        self.units.iter().filter(|u| u.parent.is_none()).map(|u| u.id.as_str())
    }

    /// The unit and every unit above it, nearest first (a cycle-safe walk).
    pub fn ancestors<'a>(&'a self, unit: &'a str) -> Vec<&'a str> {
        let mut out = vec![unit];
        let mut current = unit;
        while let Some(parent) = self.unit(current).and_then(|u| u.parent.as_deref()) {
            if out.contains(&parent) || out.len() > self.units.len() {
                break;
            }
            out.push(parent);
            current = parent;
        }
        out
    }

    /// Whether `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: &str, ancestor: &str) -> bool {
        self.ancestors(unit).contains(&ancestor)
    }

    /// `unit` and every unit below it, in the order given.
    pub fn subtree<'a>(&'a self, unit: &'a str) -> Vec<&'a str> {
        self.units.iter().map(|u| u.id.as_str()).filter(|u| self.is_within(u, unit)).collect()
    }

    /// The units directly below `unit`, in the order given.
    pub fn children<'a>(&'a self, unit: &'a str) -> impl Iterator<Item = &'a OrgUnit> + 'a {
        self.units.iter().filter(move |u| u.parent.as_deref() == Some(unit))
    }

    /// The nearest unit of kind `region` at or above `unit`.
    pub fn region_of<'a>(&'a self, unit: &'a str) -> Option<&'a str> {
        self.ancestors(unit).into_iter().find(|u| self.kind(u) == Some("region"))
    }

    pub fn kind(&self, unit: &str) -> Option<&str> {
        self.unit(unit).and_then(|u| u.kind.as_deref())
    }

    /// Every rep id, sorted.
    pub fn rep_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.reps.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    pub fn has_rep(&self, rep: &str) -> bool {
        self.reps.contains_key(rep)
    }

    /// A rep's rows, earliest first.
    pub fn rep_history(&self, rep: &str) -> &[RepRow] {
        self.reps.get(rep).map_or(&[], Vec::as_slice)
    }

    /// The rep's row in effect on `day`: the latest that started by then (a
    /// row without a start always counts), else the earliest one. Without a
    /// day only rows without a start are in effect.
    pub fn rep_on(&self, rep: &str, day: Option<NaiveDate>) -> Option<&RepRow> {
        let history = self.reps.get(rep)?;
        let in_effect = history.iter().rev().find(|row| match (row.effective_from, day) {
            (None, _) => true,
            (Some(start), Some(day)) => start <= day,
            (Some(_), None) => false,
        });
        in_effect.or(history.first())
    }

    /// The unit a rep belonged to on `day`, as results credit it.
    pub fn rep_unit_on(&self, rep: &str, day: Option<NaiveDate>) -> Option<&str> {
        self.rep_on(rep, day).map(|row| row.unit.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, parent: Option<&str>, kind: &str) -> OrgUnit {
        OrgUnit { id: id.into(), name: id.into(), parent: parent.map(Into::into), kind: Some(kind.into()) }
    }

    fn rep(id: &str, unit: &str, from: Option<&str>) -> RepRow {
        RepRow { effective_from: from.map(|d| d.parse().unwrap()), ..RepRow::new(id, id, unit) }
    }

    fn org() -> Org {
        Org::new(
            [unit("HQ", None, "company"), unit("E", Some("HQ"), "region"), unit("TE", Some("E"), "team")],
            [rep("R1", "TE", None), rep("R2", "TE", None), rep("R2", "E", Some("2026-08-01"))],
        )
    }

    #[test]
    fn a_rep_belongs_to_the_unit_of_the_row_in_effect_on_the_day() {
        let org = org();
        let day = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
        assert_eq!(org.rep_unit_on("R2", day("2026-07-31")), Some("TE"));
        assert_eq!(org.rep_unit_on("R2", day("2026-08-01")), Some("E"));
        assert_eq!(org.rep_unit_on("R1", None), Some("TE"));
        assert_eq!(org.rep_unit_on("R9", day("2026-08-01")), None);
        // A rep whose only row starts later belongs to it before too.
        let late = Org::new([], [rep("R3", "TE", Some("2026-05-01"))]);
        assert_eq!(late.rep_unit_on("R3", day("2026-01-01")), Some("TE"));
    }

    #[test]
    fn the_tree_answers_above_below_and_region() {
        let org = org();
        assert_eq!(org.root(), Some("HQ"));
        assert_eq!(org.ancestors("TE"), ["TE", "E", "HQ"]);
        assert_eq!(org.subtree("E"), ["E", "TE"]);
        assert!(org.is_within("TE", "HQ") && !org.is_within("HQ", "TE"));
        assert_eq!(org.region_of("TE"), Some("E"));
        assert_eq!(org.region_of("HQ"), None);
        assert_eq!(org.children("HQ").map(|u| u.id.as_str()).collect::<Vec<_>>(), ["E"]);
        assert_eq!(org.rep_ids(), ["R1", "R2"]);
    }
}
