//! The server's state: the open workspace and a cache of what pages and the
//! API show. Evaluations and views are computed once per (period, scheme
//! version) and shared; an import, a revert or a new scheme version clears the
//! cache, so every answer is computed from the data as it stands.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::{OnceCell, RwLock, RwLockReadGuard, RwLockWriteGuard};
use yeji_core::Period;
use yeji_core::scheme::Scheme;
use yeji_engine::{CurrentScheme, EngineError, Evaluated, Evaluation, ImportOptions, ImportReport, Workspace};

use crate::error::Result;
use crate::upload::Upload;

/// A page of the fact rows behind a KPI value, as text.
pub struct RowsPage {
    pub table: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows behind the value in all.
    pub total: usize,
}

type Cell = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

pub struct AppState {
    workspace: RwLock<Workspace>,
    cache: Mutex<HashMap<String, Cell>>,
}

impl AppState {
    pub fn new(workspace: Workspace) -> AppState {
        AppState { workspace: RwLock::new(workspace), cache: Mutex::new(HashMap::new()) }
    }

    pub async fn read(&self) -> RwLockReadGuard<'_, Workspace> {
        self.workspace.read().await
    }

    /// The workspace for a change (import, revert, scheme); the cache is
    /// cleared when the guard is taken, and nothing reads while it is held.
    pub async fn write(&self) -> RwLockWriteGuard<'_, Workspace> {
        let guard = self.workspace.write().await;
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
        guard
    }

    /// The value cached under `key`, computed by `build` on first use; one
    /// computation serves concurrent requests for the same key. Errors are not cached.
    pub async fn cached<T, F>(&self, key: String, build: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T>>,
    {
        let cell: Cell = self.cache.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default().clone();
        // Views nest many awaits: their state lives on the heap, not the worker's stack.
        let build = Box::pin(build);
        let value = cell
            .get_or_try_init(|| async {
                let value: Arc<dyn Any + Send + Sync> = Arc::new(build.await?);
                Ok::<_, crate::error::WebError>(value)
            })
            .await?;
        Ok(value.clone().downcast::<T>().expect("one type per cache key"))
    }

    /// The current scheme, cached.
    pub async fn scheme(&self) -> Result<Arc<CurrentScheme>> {
        self.cached("scheme".into(), async { Ok(self.read().await.current_scheme().await?) }).await
    }

    /// The evaluation of `period` by the current scheme, with its inputs for
    /// explanations, cached.
    pub async fn evaluation(&self, period: &Period) -> Result<Arc<Evaluated>> {
        let scheme = self.scheme().await?;
        self.evaluate_with(period, &scheme.scheme, &format!("v{:?}", scheme.version)).await
    }

    /// The evaluation of `period` by the current scheme without its inputs
    /// (scores over time): from the workspace's evaluation cache on disk, so
    /// it outlives a restart of the server.
    pub async fn scores(&self, period: &Period) -> Result<Arc<Evaluation>> {
        let scheme = self.scheme().await?;
        self.cached(format!("scores/{period}/v{:?}", scheme.version), async {
            Ok(self.read().await.evaluate(period, &scheme.scheme).await?)
        })
        .await
    }

    /// The evaluation of `period` by `scheme`, cached under the scheme's `label`.
    pub async fn evaluate_with(&self, period: &Period, scheme: &Scheme, label: &str) -> Result<Arc<Evaluated>> {
        self.cached(format!("evaluation/{period}/{label}"), async {
            Ok(self.read().await.evaluate_with_inputs(period, scheme).await?)
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
        Ok(*self.cached("order_dates".into(), async { Ok(self.read().await.order_dates().await?) }).await?)
    }

    /// Rows behind an entity's KPI value, as text: `limit` of them from
    /// `offset`, in natural-key order, and how many there are in all; cached.
    pub async fn rows_behind(
        &self,
        period: &Period,
        id: &str,
        kpi: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Arc<RowsPage>> {
        let scheme = self.scheme().await?;
        self.cached(format!("rows/{period}/{id}/{kpi}/{offset}/{limit}"), async {
            let kpi = scheme.scheme.rows_kpi(kpi);
            let behind = self.read().await.rows_behind(period, id, kpi, Some((offset, limit))).await?;
            let (header, rows) = yeji_engine::rows_as_text(&behind.batches)?;
            Ok(RowsPage { table: behind.table.name().to_owned(), header, rows, total: behind.total })
        })
        .await
    }

    /// Imports an upload as one batch; the cache is cleared.
    pub async fn import(
        &self,
        upload: &Upload,
        allow_rejects: bool,
        actor: &str,
    ) -> std::result::Result<ImportReport, EngineError> {
        let options = ImportOptions { allow_rejects, actor: actor.to_owned(), ..ImportOptions::default() };
        let mut workspace = self.write().await;
        workspace.import(&[upload.dir.path().to_owned()], &options, &|_| {}).await
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
        let ids: Vec<String> =
            ids.split([',', ' ', '，']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        if ids.is_empty() || ids.len() > 8 {
            return Err(crate::error::WebError::bad_request(
                "bad_ids",
                "name one to eight reps or units, comma separated",
            ));
        }
        Ok((periods, ids))
    }

    /// `text` as a period of this workspace (fiscal periods by its fiscal year),
    /// or the default period when empty.
    pub async fn period(&self, text: Option<&str>) -> Result<Period> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => {
                let first_month = self.read().await.settings().fiscal_year_first_month;
                Ok(Period::parse_fiscal(text, first_month)?)
            }
            None => self.default_period().await,
        }
    }
}
