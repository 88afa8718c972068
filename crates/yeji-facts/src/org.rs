//! The organisation read from the stored org units and reps ([`Org`], pure,
//! in yeji-core, answers every question about it).

use arrow::array::{Array, AsArray, RecordBatch, StringArray};
use arrow::datatypes::{Date32Type, Decimal128Type};
use rust_decimal::Decimal;
use yeji_core::org::{Org, OrgUnit, RepRow};
use yeji_core::value::DECIMAL_SCALE;

/// The organisation of stored `org_units` and `reps` rows (either may be empty).
pub(crate) fn read(units: &RecordBatch, reps: &RecordBatch) -> Org {
    Org::new(read_units(units), read_reps(reps))
}

fn strings<'a>(batch: &'a RecordBatch, name: &str) -> &'a StringArray {
    batch.column_by_name(name).expect("a contract column").as_string::<i32>()
}

fn text(array: &StringArray, row: usize) -> Option<String> {
    array.is_valid(row).then(|| array.value(row).to_owned())
}

fn read_units(units: &RecordBatch) -> Vec<OrgUnit> {
    if units.num_rows() == 0 {
        return Vec::new();
    }
    let (ids, names, parents, kinds) =
        (strings(units, "unit_id"), strings(units, "name"), strings(units, "parent_id"), strings(units, "kind"));
    (0..units.num_rows())
        .map(|row| OrgUnit {
            id: ids.value(row).to_owned(),
            name: names.value(row).to_owned(),
            parent: text(parents, row),
            kind: text(kinds, row),
        })
        .collect()
}

fn read_reps(reps: &RecordBatch) -> Vec<RepRow> {
    if reps.num_rows() == 0 {
        return Vec::new();
    }
    let date = |name: &str, row: usize| {
        let days = reps.column_by_name(name).expect("a contract column").as_primitive::<Date32Type>();
        days.is_valid(row).then(|| Date32Type::to_naive_date_opt(days.value(row))).flatten()
    };
    let salaries = reps.column_by_name("base_salary").expect("base_salary").as_primitive::<Decimal128Type>();
    let active = reps.column_by_name("active").expect("active").as_boolean();
    let (ids, names, units, managers, levels) = (
        strings(reps, "rep_id"),
        strings(reps, "name"),
        strings(reps, "unit_id"),
        strings(reps, "manager_rep_id"),
        strings(reps, "level"),
    );
    (0..reps.num_rows())
        .map(|row| RepRow {
            id: ids.value(row).to_owned(),
            name: names.value(row).to_owned(),
            unit: units.value(row).to_owned(),
            manager: text(managers, row),
            hire_date: date("hire_date", row),
            level: text(levels, row),
            base_salary: salaries
                .is_valid(row)
                .then(|| Decimal::from_i128_with_scale(salaries.value(row), DECIMAL_SCALE)),
            active: !active.is_valid(row) || active.value(row),
            effective_from: date("effective_from", row),
        })
        .collect()
}
