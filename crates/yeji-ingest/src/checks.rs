//! Checks that need the whole batch and the workspace (SPEC §3): exact duplicate
//! rows are removed and reported, rows that disagree on a natural key are
//! rejected, references must name a known rep, unit, customer, product, order or
//! invoice, the org tree keeps one root and no cycle, and region names are
//! classified to the org tree.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use crate::rowhash::{content_hashes, key_hashes};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, StringArray};
use arrow::compute::filter_record_batch;
use arrow::record_batch::RecordBatch;
use yeji_core::Table;

use crate::{Origin, Parsed, Reject};

/// A set of ids, held as 64-bit hashes: a few bytes an id for millions of
/// orders. An unknown id passes only on a hash collision (about 1 in 2^64 per
/// stored id).
pub type IdSet = HashSet<u64>;

pub fn id_hash(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

/// What the workspace already holds, for references and the org tree.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Ids per referenced table (a rep's `rep_id`, a unit's `unit_id`, ...).
    pub ids: HashMap<Table, IdSet>,
    /// The stored org tree.
    pub units: HashMap<String, Unit>,
    /// How the workspace keeps ids (a region given by a unit's id is one).
    pub id_case: yeji_core::value::IdCase,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub parent: Option<String>,
    pub name: String,
}

/// Merges the parts of each table into one [`Parsed`], in import order. Columns
/// are joined one at a time, each part's column freed as soon as it is copied,
/// so memory peaks near one copy of the table rather than two.
pub fn merge(parts: Vec<Parsed>) -> Vec<Parsed> {
    let mut by_table: Vec<Vec<Parsed>> = Vec::new();
    for part in parts {
        match by_table.iter_mut().find(|p| p[0].table == part.table) {
            Some(group) => group.push(part),
            None => by_table.push(vec![part]),
        }
    }
    let mut merged: Vec<Parsed> = by_table.into_iter().map(join).collect();
    merged.sort_by_key(|p| p.table);
    merged
}

fn join(mut parts: Vec<Parsed>) -> Parsed {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let schema = parts[0].rows.schema();
    let mut columns: Vec<Vec<ArrayRef>> = vec![Vec::new(); schema.fields().len()];
    let mut into = Parsed { rows: RecordBatch::new_empty(schema.clone()), ..parts[0].clone() };
    into.origins.clear();
    into.files.clear();
    into.rejects.clear();
    into.duplicates.clear();
    into.ignored_headers.clear();
    into.rejected_rows = 0;
    for part in parts {
        // Parts of one file share its name; other files get their own index.
        let offset = match part.files.first().and_then(|f| into.files.iter().position(|g| g == f)) {
            Some(existing) => existing as u32,
            None => {
                into.files.extend(part.files.iter().cloned());
                (into.files.len() - part.files.len()) as u32
            }
        };
        into.origins.extend(part.origins.iter().map(|o| Origin { file: o.file + offset, line: o.line }));
        for (column, array) in columns.iter_mut().zip(part.rows.columns()) {
            column.push(array.clone());
        }
        into.rejects.extend(part.rejects);
        into.rejected_rows += part.rejected_rows;
        into.duplicates.extend(part.duplicates);
        for header in part.ignored_headers {
            if !into.ignored_headers.contains(&header) {
                into.ignored_headers.push(header);
            }
        }
    }
    // Columns are joined on every core, each freeing its pieces when done.
    let joined: Vec<ArrayRef> = crate::parallel::map(columns, |pieces| {
        let refs: Vec<&dyn Array> = pieces.iter().map(|a| a.as_ref()).collect();
        arrow::compute::concat(&refs).expect("same type")
    });
    into.rows = RecordBatch::try_new(schema, joined).expect("same schema");
    into
}

/// Applies the batch checks to every table (merged, in import order), moving
/// failing rows to the rejects.
pub fn check_batch(tables: &mut [Parsed], known: &Known) {
    let mut batch_ids: HashMap<Table, IdSet> = HashMap::default();
    // Unit names to ids of the org units in this batch, for region classification.
    let mut batch_units: HashMap<String, String> = HashMap::default();
    // Duplicates and id sets depend on nothing else: every table is scanned at once.
    let mut scans: Vec<(Failures, IdSet)> = crate::parallel::map(tables.iter().collect(), |parsed: &Parsed| {
        let mut failures = Failures::new(parsed.rows.num_rows());
        remove_duplicates(parsed, &mut failures);
        (failures, ids_of(parsed))
    });
    for (parsed, (mut failures, ids)) in tables.iter_mut().zip(scans.drain(..)) {
        if matches!(parsed.table, Table::Customers | Table::Market) {
            classify_regions(parsed, known, &batch_units);
        }
        check_references(parsed, known, &batch_ids, &mut failures);
        match parsed.table {
            Table::OrgUnits => check_org_tree(parsed, known, &mut failures),
            Table::Targets => check_target_entities(parsed, known, &batch_ids, &mut failures),
            _ => {}
        }
        // A rejected row's id must not satisfy a later table's reference.
        let ids = if failures.any() { None } else { Some(ids) };
        failures.apply(parsed);
        batch_ids.insert(parsed.table, ids.unwrap_or_else(|| ids_of(parsed)));
        if parsed.table == Table::OrgUnits
            && let (Some(ids), Some(names)) = (strings(parsed, "unit_id"), strings(parsed, "name"))
        {
            batch_units.extend((0..ids.len()).map(|i| (names.value(i).to_owned(), ids.value(i).to_owned())));
        }
    }
}

/// The ids of a table's rows (its key's first column), as hashes.
fn ids_of(parsed: &Parsed) -> IdSet {
    match strings(parsed, parsed.table.natural_key()[0]) {
        Some(ids) => (0..ids.len()).filter(|&i| ids.is_valid(i)).map(|i| id_hash(ids.value(i))).collect(),
        None => IdSet::default(),
    }
}

/// Rows to drop, with their reasons.
struct Failures {
    failed: Vec<bool>,
    rejects: Vec<(usize, Option<String>, String, String)>,
    duplicate_of: Vec<(usize, usize)>,
}

impl Failures {
    fn new(rows: usize) -> Failures {
        Failures { failed: vec![false; rows], rejects: Vec::new(), duplicate_of: Vec::new() }
    }

    fn any(&self) -> bool {
        self.failed.iter().any(|f| *f)
    }

    fn reject(&mut self, row: usize, column: Option<&str>, value: &str, reason: String) {
        self.failed[row] = true;
        self.rejects.push((row, column.map(str::to_owned), value.to_owned(), reason));
    }

    fn apply(self, parsed: &mut Parsed) {
        let mut rejected: HashSet<usize> = HashSet::default();
        for (row, column, value, reason) in self.rejects {
            let (file, line) = parsed.origin_of(row);
            parsed.rejects.push(Reject { file: file.to_owned(), line, column, value, reason });
            rejected.insert(row);
        }
        parsed.rejected_rows += rejected.len();
        for (row, first) in self.duplicate_of {
            let (file, line) = parsed.origin_of(row);
            let (first_file, first_line) = parsed.origin_of(first);
            let reason = format!("an exact copy of {first_file}:{first_line}, removed");
            parsed.duplicates.push(Reject { file: file.to_owned(), line, column: None, value: String::new(), reason });
        }
        if !self.failed.iter().any(|f| *f) {
            return;
        }
        let keep = BooleanArray::from(self.failed.iter().map(|f| !f).collect::<Vec<_>>());
        parsed.rows = filter_record_batch(&parsed.rows, &keep).expect("mask has one entry per row");
        let mut failed = self.failed.iter();
        parsed.origins.retain(|_| !failed.next().copied().unwrap_or(false));
    }
}

fn strings<'a>(parsed: &'a Parsed, column: &str) -> Option<&'a StringArray> {
    parsed.rows.column_by_name(column).map(|c| c.as_string::<i32>())
}

fn text(array: &StringArray, row: usize) -> Option<&str> {
    array.is_valid(row).then(|| array.value(row))
}

/// Exact copies are removed; rows sharing a natural key with different values
/// are all rejected, since nothing says which one is right.
fn remove_duplicates(parsed: &Parsed, failures: &mut Failures) {
    let table = parsed.table;
    let keys = key_hashes(table, &parsed.rows);
    // Whether any key repeats: each core looks at the keys of its residue class.
    let parts = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let repeats = crate::parallel::map((0..parts).collect(), |part| {
        let mut seen: HashSet<u128> =
            HashSet::with_capacity_and_hasher(keys.len() / parts as usize, Default::default());
        keys.iter().filter(|key| **key as u64 % parts == part).any(|key| !seen.insert(*key))
    });
    if !repeats.contains(&true) {
        return;
    }
    // Contents are compared only where a key repeats.
    let contents = content_hashes(table, &parsed.rows);
    let mut first_by_key: HashMap<u128, usize> = HashMap::default();
    let mut conflicted: HashSet<usize> = HashSet::default();
    let key_names = table.natural_key().join(", ");
    let conflict = |failures: &mut Failures, row: usize, other: usize| {
        let (file, line) = parsed.origin_of(other);
        failures.reject(
            row,
            Some(table.natural_key()[0]),
            "",
            format!("same {key_names} as {file}:{line} with different values"),
        );
    };
    for (row, key) in keys.iter().enumerate() {
        match first_by_key.get(key) {
            None => {
                first_by_key.insert(*key, row);
            }
            Some(&first) if contents[first] == contents[row] => {
                failures.failed[row] = true;
                failures.duplicate_of.push((row, first));
            }
            Some(&first) => {
                conflict(failures, row, first);
                if conflicted.insert(first) {
                    conflict(failures, first, row);
                }
            }
        }
    }
}

/// Every reference must name a row of this batch or of the workspace. A row
/// is reported for its first unknown reference only. The rows are checked in
/// slices on every core (each row's columns in order, as one pass would).
fn check_references(parsed: &Parsed, known: &Known, batch_ids: &HashMap<Table, IdSet>, failures: &mut Failures) {
    let table = parsed.table;
    let refers_to_itself = table.columns().iter().any(|c| c.references == Some(table));
    let own_ids: IdSet = match strings(parsed, table.natural_key()[0]) {
        Some(ids) if refers_to_itself => (0..ids.len()).filter_map(|i| text(ids, i)).map(id_hash).collect(),
        _ => IdSet::default(),
    };
    let empty = HashSet::default();
    // Each referencing column with where its ids may be: the workspace, this
    // batch, and the table itself (a unit's parent).
    let references: Vec<(&str, &StringArray, [&IdSet; 3], Table)> = table
        .columns()
        .iter()
        .filter_map(|column| {
            let target = column.references?;
            let values = strings(parsed, column.name)?;
            let stored = known.ids.get(&target).unwrap_or(&empty);
            let batch = batch_ids.get(&target).unwrap_or(&empty);
            let own = if target == table { &own_ids } else { &empty };
            Some((column.name, values, [stored, batch, own], target))
        })
        .collect();
    if references.is_empty() {
        return;
    }
    let rows = parsed.rows.num_rows();
    let slice = rows.div_ceil(64).max(1 << 16);
    let slices: Vec<std::ops::Range<usize>> = (0..rows).step_by(slice).map(|s| s..(s + slice).min(rows)).collect();
    let failed = &failures.failed;
    let unknown = crate::parallel::map(slices, |range| {
        let mut unknown = Vec::new();
        for row in range.filter(|&row| !failed[row]) {
            let first = references.iter().find_map(|(name, values, sets, target)| {
                let id = text(values, row)?;
                let hash = id_hash(id);
                (!sets.iter().any(|set| set.contains(&hash))).then_some((*name, id, *target))
            });
            unknown.extend(first.map(|(name, id, target)| (row, name, id, target)));
        }
        unknown
    });
    for (row, column, id, target) in unknown.into_iter().flatten() {
        let what = target.name().trim_end_matches('s').replace('_', " ");
        failures.reject(row, Some(column), id, format!("unknown {what} (not in this batch nor in the workspace)"));
    }
}

/// The org tree after this batch must have one root and no cycle.
fn check_org_tree(parsed: &Parsed, known: &Known, failures: &mut Failures) {
    let (Some(ids), Some(parents)) = (strings(parsed, "unit_id"), strings(parsed, "parent_id")) else { return };
    let mut parent_of: HashMap<&str, Option<&str>> =
        known.units.iter().map(|(id, u)| (id.as_str(), u.parent.as_deref())).collect();
    let mut row_of: HashMap<&str, usize> = HashMap::default();
    for row in 0..ids.len() {
        if failures.failed[row] {
            continue;
        }
        let id = ids.value(row);
        parent_of.insert(id, text(parents, row));
        row_of.insert(id, row);
    }
    let mut roots: Vec<&str> = parent_of.iter().filter(|(_, p)| p.is_none()).map(|(id, _)| *id).collect();
    roots.sort_unstable_by_key(|id| (row_of.contains_key(id), *id));
    if let Some((first, others)) = roots.split_first() {
        for extra in others {
            if let Some(&row) = row_of.get(extra) {
                failures.reject(
                    row,
                    Some("parent_id"),
                    "",
                    format!("a second root: the org tree has one root ({first}); give this unit a parent"),
                );
            }
        }
    }
    for (&id, &row) in &row_of {
        let mut seen: HashSet<&str> = [id].into_iter().collect();
        let mut current = parent_of.get(id).copied().flatten();
        while let Some(unit) = current {
            if !seen.insert(unit) {
                failures.reject(
                    row,
                    Some("parent_id"),
                    parents.value(row),
                    "the org tree has a cycle through this unit".to_owned(),
                );
                break;
            }
            current = parent_of.get(unit).copied().flatten();
        }
    }
}

/// A target names a rep or a unit; its level is filled in when missing.
fn check_target_entities(
    parsed: &mut Parsed,
    known: &Known,
    batch_ids: &HashMap<Table, IdSet>,
    failures: &mut Failures,
) {
    let empty = HashSet::default();
    let is = |table: Table, id: &str| {
        let hash = id_hash(id);
        known.ids.get(&table).unwrap_or(&empty).contains(&hash)
            || batch_ids.get(&table).unwrap_or(&empty).contains(&hash)
    };
    let (Some(entities), Some(levels)) = (strings(parsed, "entity_id"), strings(parsed, "level")) else { return };
    let mut filled: Vec<Option<String>> = Vec::with_capacity(entities.len());
    for row in 0..entities.len() {
        if failures.failed[row] {
            filled.push(None);
            continue;
        }
        let id = entities.value(row);
        let level = match (text(levels, row), is(Table::Reps, id), is(Table::OrgUnits, id)) {
            (Some("rep"), true, _) => Some("rep"),
            (Some(level @ ("unit" | "company")), _, true) => Some(level),
            (None, true, _) => Some("rep"),
            (None, false, true) => Some("unit"),
            (level, _, _) => {
                let what = match level {
                    Some("rep") => "rep",
                    Some(_) => "unit",
                    None => "rep or unit",
                };
                failures.reject(row, Some("entity_id"), id, format!("unknown {what}"));
                None
            }
        };
        filled.push(level.map(str::to_owned));
    }
    replace_column(parsed, "level", Arc::new(StringArray::from(filled)));
}

/// Regions given by a unit's id or name are stored as that unit's id.
fn classify_regions(parsed: &mut Parsed, known: &Known, batch_units: &HashMap<String, String>) {
    let Some(regions) = strings(parsed, "region") else { return };
    let mut by_name: HashMap<&str, &str> = known.units.iter().map(|(id, u)| (u.name.as_str(), id.as_str())).collect();
    by_name.extend(batch_units.iter().map(|(name, id)| (name.as_str(), id.as_str())));
    let classified: Vec<Option<String>> = (0..regions.len())
        .map(|row| {
            text(regions, row).map(|region| {
                let code = known.id_case.normalise(region);
                if known.units.contains_key(&code) || batch_units.values().any(|id| *id == code) {
                    code
                } else {
                    by_name.get(region).map_or_else(|| region.to_owned(), |id| (*id).to_owned())
                }
            })
        })
        .collect();
    replace_column(parsed, "region", Arc::new(StringArray::from(classified)));
}

fn replace_column(parsed: &mut Parsed, name: &str, array: ArrayRef) {
    let index = parsed.rows.schema().index_of(name).expect("contract column");
    let mut columns = parsed.rows.columns().to_vec();
    columns[index] = array;
    parsed.rows = arrow::record_batch::RecordBatch::try_new(parsed.rows.schema(), columns).expect("same type");
}
