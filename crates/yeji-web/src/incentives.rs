//! The pay page (SPEC §12): what the viewer may see of the period's pay,
//! inquiries, payout runs and what-if; its forms go through the same
//! functions as the API, then back to the page (what-if renders its result
//! on it: nothing is saved).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use yeji_core::Period;
use yeji_incentives::{Statement, WhatIf};
use yeji_store::{PayInquiryRow, PayoutRunRow};

use crate::api_incentives::{self, InquiryBody, PayoutStepBody, ResolveBody, StatementQuery, WhatIfBody};
use crate::context;
use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::pages::{self, encode, respond};
use crate::state::AppState;
use crate::viewer::Viewer;

/// The period's pay as the page shows it.
pub struct PayView {
    pub period: String,
    /// The statements the viewer sees, or why there are none.
    pub run: std::result::Result<ShownRun, String>,
    pub inquiries: Vec<PayInquiryRow>,
    /// The reps the viewer may raise an inquiry for.
    pub reps: Vec<(String, String)>,
    /// The payout runs, for those who may read pay.
    pub runs: Option<Vec<PayoutRunRow>>,
    pub plan_text: String,
    /// HR, directors, admins: resolve inquiries, price plans.
    pub may_read_pay: bool,
    pub may_approve: bool,
    pub may_lock: bool,
}

pub struct ShownRun {
    pub plan: String,
    /// "payout run 3, locked" or "not saved".
    pub source: String,
    pub statements: Vec<Statement>,
}

async fn view(state: &AppState, viewer: &Viewer, period: &Period) -> Result<PayView> {
    let facts = state.facts();
    let sees = |rep: &str| viewer.check(&facts, period, rep).is_ok();
    let run = match yeji_incentives::run_for(state.catalog(), &facts, period).await {
        Ok(found) => Ok(ShownRun {
            source: found.source(),
            plan: found.plan,
            statements: found.statements.into_iter().filter(|s| sees(&s.rep_id)).collect(),
        }),
        Err(error) => Err(error.to_string()),
    };
    let role = viewer.role();
    let reps = facts
        .org()
        .rep_ids()
        .into_iter()
        .filter(|rep| sees(rep))
        .map(|rep| (rep.to_owned(), facts.org().rep_on(rep, None).map_or(rep.to_owned(), |r| r.name.clone())))
        .collect();
    // The runs and the plan to price are for those who may read pay.
    let (runs, plan_text) = if role.may_read_pay() {
        let runs = state.catalog().payout_runs().await.map_err(yeji_facts::FactsError::from)?;
        let saved = yeji_incentives::Schedule::saved(state.catalog()).await.ok();
        let text = saved.and_then(|s| s.text_for(&period.months()[0].to_string()));
        (Some(runs), text.unwrap_or_else(|| yeji_incentives::SEED_PLAN.trim_start().to_owned()))
    } else {
        (None, String::new())
    };
    Ok(PayView {
        period: period.to_string(),
        run,
        inquiries: api_incentives::visible_inquiries(state, viewer).await?,
        reps,
        runs,
        plan_text,
        may_read_pay: role.may_read_pay(),
        may_approve: role.may_approve_pay(),
        may_lock: role.may_lock_pay(),
    })
}

async fn show(
    state: &AppState,
    viewer: &Viewer,
    (lang, uri): (Lang, &Uri),
    period: Option<&str>,
    priced: Option<(&WhatIfBody, WhatIf)>,
) -> Response {
    let (ctx, period) = context(state, lang, uri, period, Some(viewer)).await;
    let page = async {
        let mut view = view(state, viewer, &period?).await?;
        if let Some(text) = priced.as_ref().and_then(|(asked, _)| asked.plan.clone()) {
            view.plan_text = text;
        }
        let body = pages::incentives::render(&ctx, &view, priced.as_ref().map(|(asked, p)| (*asked, p)));
        Ok::<_, WebError>(pages::layout(&ctx, "incentives", lang.t("incentives"), body))
    };
    respond(&ctx, page.await)
}

pub async fn page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Query(q): Query<StatementQuery>,
) -> Response {
    show(&state, &viewer, (lang, &uri), q.period.as_deref(), None).await
}

/// What-if from the page: the plan or targets priced, shown beside the current ones.
pub async fn whatif(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Form(form): Form<WhatIfBody>,
) -> Response {
    match api_incentives::price(&state, &viewer, &form).await {
        Ok(priced) => show(&state, &viewer, (lang, &uri), Some(&form.period), Some((&form, priced))).await,
        Err(error) => {
            pages::error_page(&context(&state, lang, &uri, Some(&form.period), Some(&viewer)).await.0, &error)
        }
    }
}

/// A statement line and the rows behind it (the viewer's scope, as the statement).
pub async fn line(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path((rep, n)): Path<(String, usize)>,
    Query(q): Query<StatementQuery>,
) -> Response {
    let rep = state.id(&rep);
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await;
    let page = async {
        let period = period?.to_string();
        let traced = api_incentives::line_of(&state, &viewer, (&rep, n), &q).await?;
        let body = pages::incentives::traced(&ctx, (&rep, &period), &traced);
        Ok::<_, WebError>(pages::layout(&ctx, "incentives", lang.t("incentives"), body))
    };
    respond(&ctx, page.await)
}

fn back(period: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/incentives?period={}#{anchor}", encode(period))).into_response()
}

pub async fn inquire(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Form(form): Form<InquiryBody>,
) -> Response {
    match api_incentives::raise(&state, &viewer, &form).await {
        Ok(row) => back(&row.period, &format!("inquiry-{}", row.id)),
        Err(error) => {
            pages::error_page(&context(&state, lang, &uri, Some(&form.period), Some(&viewer)).await.0, &error)
        }
    }
}

pub async fn resolve(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<ResolveBody>,
) -> Response {
    match api_incentives::answer(&state, &viewer, id, &form).await {
        Ok(row) => back(&row.period, &format!("inquiry-{}", row.id)),
        Err(error) => pages::error_page(&context(&state, lang, &uri, None, Some(&viewer)).await.0, &error),
    }
}

pub async fn step(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<PayoutStepBody>,
) -> Response {
    match api_incentives::take_step(&state, &viewer, id, &form).await {
        Ok(run) => back(&run.period, &format!("run-{}", run.id)),
        Err(error) => pages::error_page(&context(&state, lang, &uri, None, Some(&viewer)).await.0, &error),
    }
}
