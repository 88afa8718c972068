//! Importing a batch (SPEC §3): read and check every file, refuse the whole
//! batch on any reject unless asked, apply the rows by natural key, write the
//! new fact files and land everything in one catalog transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::{Array, AsArray, RecordBatch};
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;
use yeji_core::Table;
use yeji_ingest::checks::{Known, Unit, check_batch, id_hash, merge};
use yeji_ingest::{Encoding, Mapping, Parsed, ReadOptions, Reject, Source, discover, read_source, split_large};
use yeji_store::{NewBatch, TableChange, TableVersion};

use crate::changes::{Applied, Rewrite, apply};
use crate::files::{self, Sources, with_default_costs};
use crate::workspace::{Workspace, remove};
use crate::{FactsError, Result};

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Land the good rows when some are rejected.
    pub allow_rejects: bool,
    pub encoding: Option<Encoding>,
    pub mapping: Mapping,
    /// Where to write the reject report (default: `W/reports/`).
    pub report_path: Option<PathBuf>,
    /// Who imports, for the audit log.
    pub actor: String,
}

/// What an import did to one table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableReport {
    pub table: String,
    pub files: Vec<String>,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub duplicates: usize,
    /// Set when the files are byte for byte those of this earlier batch, whose
    /// rows are still current: nothing was read again.
    pub same_as_batch: Option<i64>,
    pub ignored_headers: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// The landed batch; `None` when nothing changed.
    pub batch: Option<i64>,
    pub tables: Vec<TableReport>,
    #[serde(skip)]
    pub rejects: Vec<Reject>,
    #[serde(skip)]
    pub duplicates: Vec<Reject>,
    pub rejected_rows: usize,
    pub report_file: Option<PathBuf>,
}

/// Progress of a long import, for a progress bar.
pub enum Progress<'a> {
    /// Reading starts: this many bytes in all.
    Reading { bytes: u64 },
    /// This many more bytes were read.
    Read(u64),
    /// A step after reading: checking, applying, writing.
    Step(&'a str),
}

impl Workspace {
    pub async fn import(
        &mut self,
        paths: &[PathBuf],
        options: &ImportOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<ImportReport> {
        let _writing = self.writing().await?;
        let sources = discover(paths)?;
        if sources.is_empty() {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            return Err(FactsError::NothingToImport(names.join(", ")));
        }
        let mut by_table: BTreeMap<Table, Vec<Source>> = BTreeMap::new();
        for source in sources {
            by_table.entry(source.table).or_default().push(source);
        }
        let versions = self.versions().await?;
        let history = self.catalog.batches().await?;
        let mut reports: BTreeMap<Table, TableReport> = BTreeMap::new();
        let mut hashes: HashMap<Table, String> = HashMap::new();
        let mut to_read: Vec<Source> = Vec::new();
        for (table, sources) in &by_table {
            let hash = source_hash(sources)?;
            let files = sources.iter().map(Source::label).collect();
            let same_as_batch = unchanged_since(*table, &hash, &history);
            reports
                .insert(*table, TableReport { table: table.name().into(), files, same_as_batch, ..Default::default() });
            if same_as_batch.is_none() {
                to_read.extend(sources.iter().cloned());
            }
            hashes.insert(*table, hash);
        }

        let read_options = ReadOptions {
            encoding: options.encoding,
            mapping: options.mapping.clone(),
            fiscal_first_month: self.settings.fiscal_year_first_month,
            ids: self.settings.id_case(),
            dates: Some(self.settings.dates(chrono::Utc::now().date_naive())),
        };
        let started = std::time::Instant::now();
        let parts = read_all(&to_read, &read_options, progress)?;
        tracing::info!(seconds = started.elapsed().as_secs_f64(), rss_mib = rss_mib(), "read and cleaned every row");
        progress(Progress::Step("checking references"));
        let mut parsed = merge(parts);
        let known = self.known(&parsed, &versions)?;
        check_batch(&mut parsed, &known);
        tracing::info!(seconds = started.elapsed().as_secs_f64(), rss_mib = rss_mib(), "checked the batch");

        let mut report = ImportReport::default();
        for table in &parsed {
            let entry = reports.get_mut(&table.table).expect("every parsed table was discovered");
            entry.rejected = table.rejected_rows;
            entry.duplicates = table.duplicates.len();
            entry.ignored_headers = table.ignored_headers.clone();
            report.rejects.extend(table.rejects.iter().cloned());
            report.duplicates.extend(table.duplicates.iter().cloned());
            report.rejected_rows += table.rejected_rows;
        }
        report.rejects.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        if !report.rejects.is_empty() {
            let path = self.write_reject_report(&report.rejects, options.report_path.as_deref())?;
            report.report_file = Some(path.clone());
            if !options.allow_rejects {
                return Err(FactsError::Rejected {
                    rejected: report.rejected_rows,
                    report: path.display().to_string(),
                });
            }
        }

        progress(Progress::Step("applying changes"));
        let batch_id = self.catalog.next_batch_id().await?;
        let (changes, new_versions) = self.apply_batch(batch_id, &parsed, &versions, &mut reports, &hashes)?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            rss_mib = rss_mib(),
            "applied and wrote the new fact files"
        );
        report.tables = reports.into_values().collect();
        if changes.iter().all(|c| c.added == 0 && c.changed == 0) {
            for version in &new_versions {
                remove(&self.root.join(&version.file))?;
            }
            let _ = std::fs::remove_dir_all(self.root.join("batches").join(batch_id.to_string()));
            return Ok(report);
        }
        progress(Progress::Step("committing"));
        let files: Vec<String> = by_table.values().flatten().map(Source::label).collect();
        let actor = if options.actor.is_empty() { "cli" } else { &options.actor };
        self.catalog
            .land_batch(NewBatch { id: batch_id, files: &files, tables: &changes, versions: &new_versions, actor })
            .await?;
        self.retire(&new_versions, &versions).await?;
        report.batch = Some(batch_id);
        Ok(report)
    }

    /// Applies each parsed table to its stored rows and writes the new fact and
    /// delta files (not yet committed).
    fn apply_batch(
        &self,
        batch_id: i64,
        parsed: &[Parsed],
        versions: &HashMap<Table, TableVersion>,
        reports: &mut BTreeMap<Table, TableReport>,
        hashes: &HashMap<Table, String>,
    ) -> Result<(Vec<TableChange>, Vec<TableVersion>)> {
        let mut rewrites: BTreeMap<Table, Rewrite> = BTreeMap::new();
        let mut changes = Vec::new();
        for table in parsed {
            let mut incoming = table.rows.clone();
            if table.table == Table::Orders {
                // Products of this batch override the stored ones for default costs.
                let stored = self.load_canonical(Table::Products, versions)?;
                let products = match rewrites.get(&Table::Products) {
                    Some(rewrite) => rewrite.apply_to(Table::Products, &stored),
                    None => stored,
                };
                incoming = with_default_costs(&incoming, &products);
            }
            let stored = self.stored_rows(table.table, versions);
            let Applied { rewrite, delta, added, changed, unchanged } = apply(table.table, stored, &incoming)?;
            let report = reports.get_mut(&table.table).expect("reported");
            (report.added, report.changed, report.unchanged) = (added, changed, unchanged);
            let mut change = TableChange {
                table: table.table.name().into(),
                added: added as i64,
                changed: changed as i64,
                unchanged: unchanged as i64,
                rejected: table.rejected_rows as i64,
                duplicates: table.duplicates.len() as i64,
                source_hash: hashes.get(&table.table).cloned().unwrap_or_default(),
                delta_file: None,
            };
            if !delta.is_empty() {
                let relative = format!("batches/{batch_id}/{}.parquet", table.table.name());
                files::write(&self.root.join(&relative), &delta)?;
                change.delta_file = Some(relative);
            }
            if added + changed > 0 {
                rewrites.insert(table.table, rewrite);
            }
            changes.push(change);
        }
        let versions_written = self.write_states(batch_id, rewrites, versions)?;
        Ok((changes, versions_written))
    }

    /// A function streaming the stored rows of `table` (canonical columns).
    fn stored_rows<'a>(
        &'a self,
        table: Table,
        versions: &'a HashMap<Table, TableVersion>,
    ) -> impl Fn() -> Result<Box<dyn Iterator<Item = Result<RecordBatch>>>> + 'a {
        move || match versions.get(&table) {
            Some(version) => {
                let columns: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
                Ok(Box::new(files::stream(&self.root.join(&version.file), &columns)?) as Box<dyn Iterator<Item = _>>)
            }
            None => Ok(Box::new(std::iter::empty())),
        }
    }

    /// Writes the new version of each rewritten table, side by side (Parquet
    /// encoding is the costly part). When reps changed, every table credited to
    /// units is rewritten too, with its units recomputed.
    pub(crate) fn write_states(
        &self,
        batch_id: i64,
        mut rewrites: BTreeMap<Table, Rewrite>,
        versions: &HashMap<Table, TableVersion>,
    ) -> Result<Vec<TableVersion>> {
        if rewrites.contains_key(&Table::Reps) {
            for table in Table::ALL.into_iter().filter(|t| t.credit_date().is_some() && versions.contains_key(t)) {
                rewrites.entry(table).or_default();
            }
        }
        // What was paid on each invoice is derived from the payments.
        if rewrites.contains_key(&Table::Payments) && versions.contains_key(&Table::Invoices) {
            rewrites.entry(Table::Invoices).or_default();
        }
        let stored_reps = self.load_canonical(Table::Reps, versions)?;
        let reps = match rewrites.get(&Table::Reps) {
            Some(rewrite) => rewrite.apply_to(Table::Reps, &stored_reps),
            None => stored_reps,
        };
        let no_change = Rewrite::default();
        let sources = Sources {
            org: crate::org::read(&files::empty(Table::OrgUnits), &reps),
            payments: (
                versions.get(&Table::Payments).map(|v| self.root.join(&v.file)),
                rewrites.get(&Table::Payments).unwrap_or(&no_change),
            ),
        };
        let generation = chrono::Utc::now().timestamp_micros();
        let written = yeji_ingest::parallel::map(rewrites.iter().collect(), |(&table, rewrite)| {
            let relative = format!("facts/{}/{batch_id}-{generation}.parquet", table.name());
            let stored = versions.get(&table).map(|v| self.root.join(&v.file));
            let rows = files::write_version(&self.root.join(&relative), table, stored.as_deref(), rewrite, &sources)?;
            Ok(TableVersion { table: table.name().into(), file: relative, rows: rows as i64, batch_id })
        });
        written.into_iter().collect()
    }

    /// The ids and org tree the batch's references are checked against.
    fn known(&self, parsed: &[Parsed], versions: &HashMap<Table, TableVersion>) -> Result<Known> {
        let mut needed: HashSet<Table> = HashSet::new();
        for table in parsed {
            needed.extend(table.table.columns().iter().filter_map(|c| c.references));
            match table.table {
                Table::Targets => needed.extend([Table::Reps, Table::OrgUnits]),
                Table::Customers => _ = needed.insert(Table::OrgUnits),
                _ => {}
            }
        }
        let mut known = Known { id_case: self.settings.id_case(), ..Known::default() };
        for table in needed {
            let Some(version) = versions.get(&table) else { continue };
            let path = self.root.join(&version.file);
            let key = table.natural_key()[0];
            if table == Table::OrgUnits {
                let units = files::read_columns(&path, &["unit_id", "parent_id", "name"])?;
                let column = |i: usize| units.column(i).as_string::<i32>();
                for row in 0..units.num_rows() {
                    let text = |i: usize| column(i).is_valid(row).then(|| column(i).value(row).to_owned());
                    let unit = Unit { parent: text(1), name: text(2).unwrap_or_default() };
                    known.units.insert(column(0).value(row).to_owned(), unit);
                }
                known.ids.insert(table, known.units.keys().map(|id| id_hash(id)).collect());
            } else {
                let ids = files::read_columns(&path, &[key])?;
                let ids = ids.column(0).as_string::<i32>();
                known.ids.insert(table, ids.iter().flatten().map(id_hash).collect());
            }
        }
        Ok(known)
    }

    fn write_reject_report(&self, rejects: &[Reject], path: Option<&Path>) -> Result<PathBuf> {
        let path = match path {
            Some(path) => path.to_owned(),
            None => {
                let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f");
                self.root.join("reports").join(format!("rejects-{stamp}.csv"))
            }
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| FactsError::io(dir, e))?;
        }
        let io = |e: csv::Error| FactsError::Io { path: path.display().to_string(), source: std::io::Error::other(e) };
        let mut writer = csv::Writer::from_path(&path).map_err(io)?;
        writer.write_record(["file", "line", "column", "value", "reason"]).map_err(io)?;
        for reject in rejects {
            let line = reject.line.to_string();
            let column = reject.column.as_deref().unwrap_or("");
            writer.write_record([reject.file.as_str(), &line, column, &reject.value, &reject.reason]).map_err(io)?;
        }
        writer.flush().map_err(|e| FactsError::io(&path, e))?;
        Ok(path)
    }
}

/// The rejects in a report written by an import (first `limit` rows, and how
/// many there are in all), for showing a refused import.
pub fn read_reject_report(path: &Path, limit: usize) -> Result<(Vec<Reject>, usize)> {
    let io = |e: csv::Error| FactsError::Io { path: path.display().to_string(), source: std::io::Error::other(e) };
    let mut reader = csv::Reader::from_path(path).map_err(io)?;
    let mut rejects = Vec::new();
    let mut total = 0;
    for record in reader.records() {
        let record = record.map_err(io)?;
        total += 1;
        if rejects.len() < limit {
            let field = |i: usize| record.get(i).unwrap_or("").to_owned();
            rejects.push(Reject {
                file: field(0),
                line: field(1).parse().unwrap_or(0),
                column: Some(field(2)).filter(|c| !c.is_empty()),
                value: field(3),
                reason: field(4),
            });
        }
    }
    Ok((rejects, total))
}

/// Reads the sources on every core, largest files first; the first error wins.
fn read_all(sources: &[Source], options: &ReadOptions, progress: &(dyn Fn(Progress) + Sync)) -> Result<Vec<Parsed>> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let sources = split_large(sources.to_vec(), cores, options)?;
    let size = |s: &Source| match s.part {
        Some(part) => part.end - part.start,
        None => std::fs::metadata(&s.path).map(|m| m.len()).unwrap_or(0),
    };
    let mut order: Vec<usize> = (0..sources.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(size(&sources[i])));
    progress(Progress::Reading { bytes: sources.iter().map(size).sum() });
    let read = yeji_ingest::parallel::map(order.clone(), |index| {
        let last = AtomicU64::new(0);
        let advance =
            |position: u64| progress(Progress::Read(position.saturating_sub(last.swap(position, Ordering::Relaxed))));
        let parsed = read_source(&sources[index], options, &advance);
        advance(size(&sources[index]));
        parsed.map_err(FactsError::from)
    });
    // Back in the sources' order, so a file's parts join in line order.
    let mut by_source: Vec<Option<Result<Parsed>>> = (0..sources.len()).map(|_| None).collect();
    for (index, parsed) in order.into_iter().zip(read) {
        by_source[index] = Some(parsed);
    }
    by_source.into_iter().map(|r| r.expect("every source was read")).collect()
}

/// The resident memory now and at its peak, in MiB (Linux; 0 elsewhere), for the logs.
fn rss_mib() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    format!("{} (peak {})", field("VmRSS:"), field("VmHWM:"))
}

/// A hash of the sources' bytes (and sheet names), in order.
fn source_hash(sources: &[Source]) -> Result<String> {
    let mut hasher = Xxh3::new();
    let mut buffer = vec![0u8; 1 << 20];
    for source in sources {
        hasher.update(source.sheet.as_deref().unwrap_or("").as_bytes());
        let mut file = std::fs::File::open(&source.path).map_err(|e| FactsError::io(&source.path, e))?;
        loop {
            let read = file.read(&mut buffer).map_err(|e| FactsError::io(&source.path, e))?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
        }
    }
    Ok(format!("{:032x}", hasher.digest128()))
}

/// The earlier batch whose files for `table` had this hash, when re-reading them
/// cannot change anything: it is the last landed batch to touch the table, it
/// rejected none of their rows, and no table they reference changed since.
fn unchanged_since(table: Table, hash: &str, history: &[yeji_store::Batch]) -> Option<i64> {
    let landed = || history.iter().filter(|b| b.status == "landed");
    let last = landed().rfind(|b| b.tables.iter().any(|t| t.table == table.name()))?;
    let change = last.tables.iter().find(|t| t.table == table.name())?;
    if change.source_hash != hash || change.rejected > 0 {
        return None;
    }
    let references: HashSet<&str> = table.columns().iter().filter_map(|c| c.references).map(Table::name).collect();
    let referenced_changed_later = landed()
        .filter(|b| b.id > last.id)
        .flat_map(|b| &b.tables)
        .any(|t| references.contains(t.table.as_str()) && t.added + t.changed > 0);
    (!referenced_changed_later).then_some(last.id)
}
