//! Creating and opening a workspace: its settings, its catalog, its lock, and
//! the clean-up of files a crashed batch left behind.

use std::collections::{HashMap, HashSet};
use std::fs::File;
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
const LOCK_FILE: &str = ".lock";

/// An open workspace. It holds the workspace's lock, shared with other
/// readers, until dropped; writing takes it exclusively ([`Workspace::exclusive`]).
pub struct Workspace {
    pub(crate) root: PathBuf,
    pub(crate) settings: Settings,
    pub(crate) catalog: Catalog,
    lock: File,
    /// The turn to query the whole facts, shared by every [`Facts`] of this
    /// workspace (see [`Facts::gate`]).
    gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// The workspace's lock file: held shared by every process that has the
/// workspace open, exclusively by the one writing a batch, a revert or a scheme.
fn lock_file(root: &Path) -> Result<File> {
    let path = root.join(LOCK_FILE);
    File::options().create(true).truncate(false).write(true).open(&path).map_err(|e| FactsError::io(&path, e))
}

fn locked(result: std::result::Result<(), std::fs::TryLockError>, root: &Path) -> Result<()> {
    match result {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(FactsError::Busy),
        Err(std::fs::TryLockError::Error(e)) => Err(FactsError::io(&root.join(LOCK_FILE), e)),
    }
}

/// The exclusive hold of a workspace's lock while it is written; the lock
/// goes back to shared when dropped. (It holds a duplicate of the lock file's
/// handle: both name the same lock.)
pub(crate) struct Exclusive(File);

impl Drop for Exclusive {
    fn drop(&mut self) {
        // Converting back cannot be refused: this process is the only holder.
        let _ = self.0.try_lock_shared();
    }
}

impl Workspace {
    /// Creates a workspace in `root` (which may exist but must hold no workspace).
    pub async fn init(root: &Path, settings: Settings) -> Result<Workspace> {
        settings.validate()?;
        let settings_path = root.join(SETTINGS_FILE);
        if settings_path.exists() {
            return Err(FactsError::AlreadyExists(root.display().to_string()));
        }
        std::fs::create_dir_all(root).map_err(|e| FactsError::io(root, e))?;
        let lock = lock_file(root)?;
        locked(lock.try_lock(), root)?;
        let catalog = Catalog::open(&root.join(CATALOG_FILE), true).await?;
        // The settings file is written last: its presence marks a complete workspace.
        let temporary = root.join("workspace.toml.tmp");
        std::fs::write(&temporary, settings.to_toml()).map_err(|e| FactsError::io(&temporary, e))?;
        std::fs::rename(&temporary, &settings_path).map_err(|e| FactsError::io(&settings_path, e))?;
        drop(Exclusive(lock.try_clone().map_err(|e| FactsError::io(root, e))?));
        Ok(Workspace::new(root, settings, catalog, lock))
    }

    fn new(root: &Path, settings: Settings, catalog: Catalog, lock: File) -> Workspace {
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
        let lock = lock_file(root)?;
        locked(lock.try_lock_shared(), root)?;
        let catalog = Catalog::open(&root.join(CATALOG_FILE), false).await?;
        let workspace = Workspace::new(root, settings, catalog, lock);
        if let Ok(_alone) = workspace.exclusive() {
            workspace.collect_garbage().await?;
        }
        Ok(workspace)
    }

    /// The lock, exclusively, for writing: refused (busy) while another
    /// process has the workspace open.
    pub(crate) fn exclusive(&self) -> Result<Exclusive> {
        let file = self.lock.try_clone().map_err(|e| FactsError::io(&self.root.join(LOCK_FILE), e))?;
        locked(file.try_lock(), &self.root)?;
        Ok(Exclusive(file))
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
    /// saved run pins.
    pub(crate) async fn retire(&self, new: &[TableVersion], old: &HashMap<Table, TableVersion>) -> Result<()> {
        let pinned: HashSet<String> =
            self.catalog.runs().await?.into_iter().flat_map(|run| run.data).map(|v| v.file).collect();
        let replaced = new.iter().filter_map(|v| Table::from_name(&v.table).and_then(|t| old.get(&t)));
        for version in replaced.filter(|v| !pinned.contains(&v.file)) {
            remove(&self.root.join(&version.file))?;
        }
        Ok(())
    }

    /// Removes what no committed version, saved run or batch names: the
    /// leftovers of a batch that crashed before its commit, and files a later
    /// version replaced.
    async fn collect_garbage(&self) -> Result<()> {
        let mut versions = self.catalog.table_versions().await?;
        versions.extend(self.catalog.runs().await?.into_iter().flat_map(|run| run.data));
        let live_files: HashSet<PathBuf> = versions.iter().map(|v| self.root.join(&v.file)).collect();
        let batches: HashSet<String> = self.catalog.batches().await?.iter().map(|b| b.id.to_string()).collect();
        for table in Table::ALL {
            let dir = self.root.join("facts").join(table.name());
            for path in list(&dir)? {
                if !live_files.contains(&path) {
                    remove(&path)?;
                }
            }
        }
        let current = crate::snapshot::data_key(&self.versions().await?);
        for path in list(&self.root.join(crate::snapshot::CACHE_DIR))? {
            if !path.ends_with(&current) {
                std::fs::remove_dir_all(&path).map_err(|e| FactsError::io(&path, e))?;
            }
        }
        for path in list(&self.root.join("batches"))? {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            if !batches.contains(&name) {
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
