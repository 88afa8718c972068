//! The server's state: the open workspace, the snapshot of its facts that
//! every read uses, and a bounded cache of what pages and the API show.
//! Evaluations and views are computed once per key and shared; an import, a
//! revert or a new scheme version takes a new snapshot and clears the cache,
//! so every answer is computed from the data as it stands.

use std::any::Any;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use tokio::sync::{OnceCell, RwLock, RwLockReadGuard};
use xxhash_rust::xxh3::xxh3_128;
use yeji_core::Period;
use yeji_core::scheme::Scheme;
use yeji_eval::{Evaluated, Evaluation, Facts};
use yeji_facts::{Batch, CurrentScheme, FactsError, ImportOptions, ImportReport, Workspace};
use yeji_people::Scope;
use yeji_store::Catalog;

use crate::error::{Result, WebError};
use crate::upload::Upload;

/// A page of the fact rows behind a KPI value, as text.
pub struct RowsPage {
    pub table: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows behind the value in all.
    pub total: usize,
}

/// What the cache holds, by what it was computed from. An evaluation is keyed
/// by the whole scheme (its TOML's hash), so a preview that changes only a
/// rule is a new evaluation, and the current scheme's is shared with any
/// preview equal to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Scheme,
    OrderDates,
    Evaluation(Period, u128),
    Scores(Period, u128),
    Overview(Period, Scope),
    /// The alerts of a period on a day (or the data's last), in a language.
    Alerts(Period, Option<chrono::NaiveDate>, yeji_feedback::Lang),
    /// Top-down against bottom-up and the check of each target, of a period and metric.
    Targets(Period, String),
    /// An entity's customers, staged with a band in hundredths of a percent.
    Customers(Period, String, i64),
    /// What an entity's revenue moves with over a number of months.
    Drivers(Period, String, u32),
    /// An entity's revenue change from the second period to the first.
    Variance(Period, Period, String),
    Entity(Period, String, Scope),
    Rows {
        period: Period,
        id: String,
        kpi: String,
        offset: usize,
        limit: usize,
    },
    /// A view serialized as JSON, once for every request of it.
    Json(Box<Key>),
}

/// The most entries the cache keeps; the least recently used go first.
const CACHE_ENTRIES: usize = 512;

type Cell = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

pub struct AppState {
    workspace: RwLock<Workspace>,
    catalog: Catalog,
    facts: std::sync::RwLock<Arc<Facts>>,
    cache: Mutex<lru::LruCache<Key, Cell>>,
    /// What was last seen of the catalog: when, whether it has users, and
    /// the state of its data and schemes (see [`AppState::keep_current`]).
    seen: tokio::sync::Mutex<Seen>,
}

struct Seen {
    at: std::time::Instant,
    has_users: bool,
    state: String,
}

/// How long what was seen of the catalog holds before it is looked at again.
const LOOK_AGAIN: std::time::Duration = std::time::Duration::from_secs(1);

/// A scheme's key in the cache.
pub fn scheme_key(scheme: &Scheme) -> u128 {
    xxh3_128(scheme.to_toml().as_bytes())
}

impl AppState {
    pub async fn new(workspace: Workspace) -> std::result::Result<AppState, FactsError> {
        let facts = Arc::new(workspace.facts().await?);
        let entries = NonZeroUsize::new(CACHE_ENTRIES).expect("a positive bound");
        let catalog = workspace.catalog().clone();
        let seen = Seen {
            at: std::time::Instant::now(),
            has_users: catalog.has_users().await?,
            state: catalog_state(&catalog).await?,
        };
        Ok(AppState {
            workspace: RwLock::new(workspace),
            catalog,
            facts: std::sync::RwLock::new(facts),
            cache: Mutex::new(lru::LruCache::new(entries)),
            seen: tokio::sync::Mutex::new(seen),
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Whether the workspace has users (then everyone signs in); looked at
    /// again at most every second, so a user added by the CLI counts at once.
    pub async fn has_users(&self) -> Result<bool> {
        self.keep_current().await?;
        Ok(self.seen.lock().await.has_users)
    }

    /// Another process may change the catalog (a user added by the CLI;
    /// another server of a team sharing a PostgreSQL catalog importing data
    /// or saving a scheme): at most every second the catalog is looked at, and
    /// a new state of the data or schemes takes a new snapshot and clears the cache.
    async fn keep_current(&self) -> Result<()> {
        let mut seen = self.seen.lock().await;
        if seen.at.elapsed() < LOOK_AGAIN {
            return Ok(());
        }
        seen.has_users = self.catalog.has_users().await.map_err(FactsError::from)?;
        let state = catalog_state(&self.catalog).await?;
        if state != seen.state {
            let facts = self.workspace.read().await.facts().await?;
            self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
            *self.facts.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(facts);
            seen.state = state;
        }
        seen.at = std::time::Instant::now();
        Ok(())
    }

    pub async fn read(&self) -> RwLockReadGuard<'_, Workspace> {
        self.workspace.read().await
    }

    /// The current state of the data.
    pub fn facts(&self) -> Arc<Facts> {
        self.facts.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Runs a change (import, revert, scheme) with the workspace to itself;
    /// then takes the new state of the data and clears the cache.
    async fn change<T, E: From<FactsError>>(
        &self,
        change: impl AsyncFnOnce(&mut Workspace) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut workspace = self.workspace.write().await;
        let outcome = change(&mut workspace).await;
        let facts = workspace.facts().await;
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
        *self.facts.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(facts?);
        self.seen.lock().await.state = catalog_state(&self.catalog).await?;
        outcome
    }

    /// The value cached under `key`, computed by `build` on first use; one
    /// computation serves concurrent requests for the same key. Errors are not cached.
    pub async fn cached<T, F>(&self, key: Key, build: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T>>,
    {
        let cell: Cell = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(key, Cell::default).clone();
        // Views nest many awaits: their state lives on the heap, not the worker's stack.
        let build = Box::pin(build);
        let value = cell
            .get_or_try_init(|| async {
                let value: Arc<dyn Any + Send + Sync> = Arc::new(build.await?);
                Ok::<_, WebError>(value)
            })
            .await?;
        Ok(value.clone().downcast::<T>().expect("one type per cache key"))
    }

    /// The current scheme, cached.
    pub async fn scheme(&self) -> Result<Arc<CurrentScheme>> {
        self.cached(Key::Scheme, async { Ok(self.read().await.current_scheme().await?) }).await
    }

    /// The evaluation of `period` by the current scheme, with its inputs for
    /// explanations, cached.
    pub async fn evaluation(&self, period: &Period) -> Result<Arc<Evaluated>> {
        let scheme = self.scheme().await?;
        self.evaluate_with(period, &scheme.scheme).await
    }

    /// The evaluation of `period` by the current scheme without its inputs
    /// (scores over time): from the workspace's evaluation cache on disk, so
    /// it outlives a restart of the server.
    pub async fn scores(&self, period: &Period) -> Result<Arc<Evaluation>> {
        let scheme = self.scheme().await?;
        let facts = self.facts();
        self.cached(Key::Scores(*period, scheme_key(&scheme.scheme)), async {
            Ok(yeji_eval::evaluate_cached(&facts, period, &scheme.scheme).await?)
        })
        .await
    }

    /// The evaluation of `period` by `scheme`, cached by the whole scheme.
    pub async fn evaluate_with(&self, period: &Period, scheme: &Scheme) -> Result<Arc<Evaluated>> {
        let facts = self.facts();
        self.cached(Key::Evaluation(*period, scheme_key(scheme)), async {
            Ok(yeji_eval::evaluate(&facts, period, scheme).await?)
        })
        .await
    }

    /// The period a page shows when none is asked for: the last complete
    /// quarter of the order data (today's date in an empty workspace).
    pub async fn default_period(&self) -> Result<Period> {
        let last = self.order_dates().await?.map_or_else(|| chrono::Utc::now().date_naive(), |(_, last)| last);
        Ok(Period::last_quarter_through(last))
    }

    /// The first and last order dates, cached.
    pub async fn order_dates(&self) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>> {
        let facts = self.facts();
        Ok(*self.cached(Key::OrderDates, async { Ok(yeji_eval::order_dates(&facts).await?) }).await?)
    }

    /// Rows behind an entity's KPI value, as text: `limit` of them from
    /// `offset`, in natural-key order, and how many there are in all; cached.
    pub async fn rows_behind(
        &self,
        period: &Period,
        id: &str,
        kpi: &str,
        (offset, limit): (usize, usize),
        viewer: &crate::viewer::Viewer,
    ) -> Result<Arc<RowsPage>> {
        viewer.check(&self.facts(), period, id)?;
        let scheme = self.scheme().await?;
        let facts = self.facts();
        let key = Key::Rows { period: *period, id: id.to_owned(), kpi: kpi.to_owned(), offset, limit };
        self.cached(key, async {
            let kpi = scheme.scheme.rows_kpi(kpi);
            let behind = yeji_eval::rows_behind(&facts, period, id, kpi, Some((offset, limit))).await?;
            let (header, rows) = yeji_eval::rows_as_text(&behind.batches)?;
            Ok(RowsPage { table: behind.table.name().to_owned(), header, rows, total: behind.total })
        })
        .await
    }

    /// Imports an upload as one batch.
    pub async fn import(
        &self,
        upload: &Upload,
        allow_rejects: bool,
        actor: &str,
    ) -> std::result::Result<ImportReport, FactsError> {
        let options = ImportOptions { allow_rejects, actor: actor.to_owned(), ..ImportOptions::default() };
        let dir = upload.dir.path().to_owned();
        let report = self.change(async move |workspace| workspace.import(&[dir], &options, &|_| {}).await).await?;
        if report.batch.is_some() {
            self.watch().await;
        }
        Ok(report)
    }

    /// The alert rules after an import (a failure is logged; the import stands).
    async fn watch(&self) {
        let raised = async {
            let scheme = self.scheme().await?;
            let root = self.read().await.root().to_owned();
            let facts = self.facts();
            Ok::<_, WebError>(yeji_alerts::after_import(&facts, &scheme.scheme, &root, &self.catalog).await?)
        };
        if let Err(error) = raised.await {
            tracing::warn!("the alert rules did not run after the import: {}", error.message);
        }
    }

    /// Reverts a batch.
    pub async fn revert(&self, batch: i64, actor: &str) -> std::result::Result<Batch, FactsError> {
        self.change(async move |workspace| workspace.revert(batch, actor).await).await
    }

    /// Approves or rejects a draft target version; an approval lands as an import.
    pub async fn decide_target(
        &self,
        id: i64,
        decision: yeji_targets::Decision,
        note: &str,
        actor: &str,
    ) -> std::result::Result<yeji_store::TargetVersionRow, yeji_targets::TargetError> {
        self.change(async move |workspace| yeji_targets::decide(workspace, id, decision, note, actor).await).await
    }

    /// Saves a scheme as the next version (then current).
    pub async fn save_scheme(&self, scheme: &Scheme, actor: &str) -> std::result::Result<i64, FactsError> {
        self.change(async move |workspace| workspace.save_scheme(scheme, actor).await).await
    }

    /// The periods and entity ids of a comparison request: one or two periods,
    /// one to eight ids.
    pub async fn comparison_request(
        &self,
        period: Option<&str>,
        period_b: Option<&str>,
        ids: &str,
    ) -> Result<(Vec<Period>, Vec<String>)> {
        let mut periods = vec![self.period(period).await?];
        if let Some(b) = period_b.map(str::trim).filter(|b| !b.is_empty()) {
            periods.push(self.period(Some(b)).await?);
        }
        let settings = self.facts().settings().clone();
        let ids: Vec<String> =
            ids.split([',', ' ', '，']).map(str::trim).filter(|s| !s.is_empty()).map(|id| settings.id(id)).collect();
        if ids.is_empty() || ids.len() > 8 {
            return Err(WebError::bad_request("bad_ids", "name one to eight reps or units, comma separated"));
        }
        Ok((periods, ids))
    }

    /// `text` as a period of this workspace (fiscal periods by its fiscal year),
    /// or the default period when empty.
    pub async fn period(&self, text: Option<&str>) -> Result<Period> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => {
                let first_month = self.facts().settings().fiscal_year_first_month;
                Ok(Period::parse_fiscal(text, first_month)?)
            }
            None => self.default_period().await,
        }
    }

    /// An entity id from a URL, as this workspace keeps ids.
    pub fn id(&self, raw: &str) -> String {
        self.facts().settings().id(raw)
    }
}

/// What the data and the schemes are: the fact files and the newest scheme version.
async fn catalog_state(catalog: &Catalog) -> std::result::Result<String, FactsError> {
    let mut files: Vec<String> = catalog.table_versions().await?.into_iter().map(|v| v.file).collect();
    files.sort();
    let scheme = catalog.schemes().await?.last().map_or(0, |s| s.version);
    Ok(format!("{scheme}/{}", files.join(",")))
}
