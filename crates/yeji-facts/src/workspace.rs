//! Creating and opening a workspace: its settings, its catalog, its lock, and
//! the clean-up of files a crashed batch left behind.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use yeji_core::Table;
use yeji_ingest::schema::canonical_schema;
use yeji_store::{Batch, Catalog, TableVersion};

use crate::settings::Settings;
use crate::snapshot::Facts;
use crate::{FactsError, Result, files};

fn by_table(versions: Vec<TableVersion>) -> HashMap<Table, TableVersion> {
    versions.into_iter().filter_map(|v| Table::from_name(&v.table).map(|t| (t, v))).collect()
}

pub(crate) const SETTINGS_FILE: &str = "workspace.toml";
const CATALOG_FILE: &str = "catalog.sqlite";
/// The catalog's URL (PostgreSQL) when it is not in `workspace.toml`.
pub const CATALOG_URL_VARIABLE: &str = "YEJI_CATALOG_URL";
/// In a shared workspace, files no version names are kept this long before
/// they are cleaned up: another machine may still be reading or writing them.
const SHARED_GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

/// An open workspace. A workspace with its own (SQLite) catalog holds the
/// lock file, shared with other readers, until dropped; writing takes it
/// exclusively. A workspace sharing a PostgreSQL catalog takes turns to
/// write by the catalog's lock, and readers never wait (see `lock.rs`).
pub struct Workspace {
    pub(crate) root: PathBuf,
    pub(crate) settings: Settings,
    pub(crate) catalog: Catalog,
    pub(crate) lock: Option<std::fs::File>,
    /// The turn to query the whole facts, shared by every [`Facts`] of this
    /// workspace (see [`Facts::gate`]).
    gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// The catalog a workspace's settings name: `YEJI_CATALOG_URL`, else the
/// settings' `catalog`, else the SQLite file in the workspace.
fn catalog_url(settings: &Settings) -> Option<String> {
    std::env::var(CATALOG_URL_VARIABLE).ok().filter(|u| !u.is_empty()).or_else(|| settings.catalog.clone())
}

async fn connect(root: &Path, settings: &Settings, create: bool) -> Result<Catalog> {
    Ok(match catalog_url(settings) {
        Some(url) => Catalog::connect(&url, create).await?,
        None => Catalog::open(&root.join(CATALOG_FILE), create).await?,
    })
}

impl Workspace {
    /// Creates a workspace in `root` (which may exist but must hold no
    /// workspace), with its catalog in the workspace or, when the settings or
    /// `YEJI_CATALOG_URL` name one, in a PostgreSQL database.
    pub async fn init(root: &Path, settings: Settings) -> Result<Workspace> {
        settings.validate()?;
        let settings_path = root.join(SETTINGS_FILE);
        if settings_path.exists() {
            return Err(FactsError::AlreadyExists(root.display().to_string()));
        }
        std::fs::create_dir_all(root).map_err(|e| FactsError::io(root, e))?;
        let catalog = connect(root, &settings, true).await?;
        let lock = crate::lock::hold(root, &catalog, true)?;
        // The settings file is written last: its presence marks a complete workspace.
        let temporary = root.join("workspace.toml.tmp");
        std::fs::write(&temporary, settings.to_toml()).map_err(|e| FactsError::io(&temporary, e))?;
        std::fs::rename(&temporary, &settings_path).map_err(|e| FactsError::io(&settings_path, e))?;
        crate::lock::share(&lock);
        Ok(Workspace::new(root, settings, catalog, lock))
    }

    fn new(root: &Path, settings: Settings, catalog: Catalog, lock: Option<std::fs::File>) -> Workspace {
        Workspace { root: root.to_owned(), settings, catalog, lock, gate: Default::default() }
    }

    /// Opens a workspace to read it (others may read it at the same time). The
    /// first to open it alone cleans up what a crashed batch left behind.
    pub async fn open(root: &Path) -> Result<Workspace> {
        let settings_path = root.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&settings_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(FactsError::NotAWorkspace(root.display().to_string()));
            }
            Err(e) => return Err(FactsError::io(&settings_path, e)),
        };
        let settings = Settings::parse(&text)?;
        let catalog = connect(root, &settings, false).await?;
        let lock = crate::lock::hold(root, &catalog, false)?;
        let workspace = Workspace::new(root, settings, catalog, lock);
        if let Ok(_alone) = workspace.writing().await {
            workspace.collect_garbage().await?;
        }
        Ok(workspace)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub async fn batches(&self) -> Result<Vec<Batch>> {
        Ok(self.catalog.batches().await?)
    }

    /// The catalog: batches, schemes, runs, audit, and the tables of the
    /// capabilities built on evaluations.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub(crate) async fn versions(&self) -> Result<HashMap<Table, TableVersion>> {
        Ok(by_table(self.catalog.table_versions().await?))
    }

    /// The current state of the data.
    pub async fn facts(&self) -> Result<Facts> {
        Facts::new(&self.root, &self.settings, self.versions().await?, self.gate.clone())
    }

    /// The state of the data these fact files (a saved run's) hold.
    pub fn facts_at(&self, files: &[TableVersion]) -> Result<Facts> {
        Facts::new(&self.root, &self.settings, by_table(files.to_vec()), self.gate.clone())
    }

    /// The stored rows of `table` with only the contract's columns.
    pub(crate) fn load_canonical(&self, table: Table, versions: &HashMap<Table, TableVersion>) -> Result<RecordBatch> {
        let stored = match versions.get(&table) {
            Some(version) => files::read(&self.root.join(&version.file), yeji_ingest::schema::stored_schema(table))?,
            None => files::empty(table),
        };
        Ok(stored.project(&(0..canonical_schema(table).fields().len()).collect::<Vec<_>>()).expect("canonical prefix"))
    }

    /// Removes the fact files the `new` versions replaced, except those a
    /// saved run or a payout run pins. (A shared workspace leaves them to the clean-up: another
    /// machine may still be reading them.)
    pub(crate) async fn retire(&self, new: &[TableVersion], old: &HashMap<Table, TableVersion>) -> Result<()> {
        if self.catalog.is_shared() {
            return Ok(());
        }
        let pinned: HashSet<String> = self.catalog.pinned_files().await?.into_iter().collect();
        let replaced = new.iter().filter_map(|v| Table::from_name(&v.table).and_then(|t| old.get(&t)));
        for version in replaced.filter(|v| !pinned.contains(&v.file)) {
            remove(&self.root.join(&version.file))?;
        }
        Ok(())
    }

    /// Removes what no committed version, saved or payout run, or batch names: the
    /// leftovers of a batch that crashed before its commit, and files a later
    /// version replaced (in a shared workspace only those older than an hour).
    async fn collect_garbage(&self) -> Result<()> {
        let grace = self.catalog.is_shared().then_some(SHARED_GRACE);
        let stale = |path: &Path| {
            grace.is_none_or(|grace| {
                let modified = std::fs::metadata(path).and_then(|m| m.modified());
                modified.is_ok_and(|m| m.elapsed().is_ok_and(|age| age > grace))
            })
        };
        let versions = self.catalog.table_versions().await?;
        let mut live_files: HashSet<PathBuf> = versions.iter().map(|v| self.root.join(&v.file)).collect();
        live_files.extend(self.catalog.pinned_files().await?.iter().map(|file| self.root.join(file)));
        let batches: HashSet<String> = self.catalog.batches().await?.iter().map(|b| b.id.to_string()).collect();
        for table in Table::ALL {
            let dir = self.root.join("facts").join(table.name());
            for path in list(&dir)? {
                if !live_files.contains(&path) && stale(&path) {
                    remove(&path)?;
                }
            }
        }
        let current = crate::snapshot::data_key(&self.versions().await?);
        for path in list(&self.root.join(crate::snapshot::CACHE_DIR))? {
            if !path.ends_with(&current) && stale(&path) {
                std::fs::remove_dir_all(&path).map_err(|e| FactsError::io(&path, e))?;
            }
        }
        for path in list(&self.root.join("batches"))? {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            if !batches.contains(&name) && stale(&path) {
                std::fs::remove_dir_all(&path).map_err(|e| FactsError::io(&path, e))?;
            }
        }
        Ok(())
    }
}

fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    match std::fs::read_dir(dir) {
        Ok(entries) => Ok(entries.filter_map(|e| e.ok().map(|e| e.path())).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(FactsError::io(dir, e)),
    }
}

pub(crate) fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(FactsError::io(path, e)),
    }
}
