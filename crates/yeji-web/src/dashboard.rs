//! The dashboard's pages: the overview, scorecards with the rows behind each
//! KPI (and their downloads), comparisons. Each shows only what the viewer's
//! scope holds.

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::WebError;
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::pages::{self, respond};
use crate::state::AppState;
use crate::viewer::Viewer;
use crate::{PeriodQuery, context};

/// The overview of the viewer's scope; a rep's is their scorecard.
pub async fn overview(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Query(q): Query<PeriodQuery>,
) -> Response {
    if let yeji_people::Scope::Rep(rep) = &viewer.scope {
        let target =
            format!("/entity/{}{}", pages::encode(rep), uri.query().map_or(String::new(), |q| format!("?{q}")));
        return axum::response::Redirect::to(&target).into_response();
    }
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await;
    let page = async {
        let period = period?;
        let view = state.overview(&period, &viewer.scope).await?;
        let kpis = pages::SchemeColumn::of(&state.scheme().await?.scheme);
        let title = format!("{} · {}", lang.t("overview"), view.period);
        let plans = crate::api_plans::plans_in_scope(&state, &viewer).await?;
        let facts = state.facts();
        let name_of = |rep: &str| facts.org().rep_on(rep, None).map_or(rep.to_owned(), |r| r.name.clone());
        let overdue = pages::plans::overdue_card(&ctx, &plans, name_of);
        let alerts = alerts_panel(&state, &viewer, &ctx, &period, |_| true).await;
        let body = maud::html! { (alerts) (overdue) (pages::overview::render(&ctx, &view, &kpis)) };
        Ok(pages::layout(&ctx, "overview", &title, body))
    };
    respond(&ctx, page.await)
}

pub async fn entity(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await;
    let page = async {
        let period = period?;
        let view = state.entity(&period, &state.id(&id), &viewer).await?;
        let kpis = pages::SchemeColumn::of(&state.scheme().await?.scheme);
        let title = format!("{} · {}", view.entity.name, view.period);
        let mut body = pages::entity::render(&ctx, &view, &kpis);
        let (facts, subtree) = (state.facts(), yeji_people::Scope::Unit(view.entity.id.clone()));
        let alerts = alerts_panel(&state, &viewer, &ctx, &period, |a| match view.entity.level {
            yeji_core::Level::Rep => a.entity_id == view.entity.id,
            _ => subtree.sees_id(facts.org(), &a.entity_id, period.last_day()),
        })
        .await;
        let asked = crate::api_analysis::VarianceQuery { period: Some(period.to_string()), against: None };
        let variance = crate::api_analysis::variance_of(&state, &viewer, &view.entity.id, &asked).await?;
        let moved = !variance.revenue.is_zero() || !variance.revenue_against.is_zero();
        let asked = crate::api_analysis::CustomersQuery { period: Some(period.to_string()), band: None };
        // The customers card is an addition to the scorecard: a failure leaves it out.
        let customers = crate::api_analysis::customers_of(&state, &viewer, &view.entity.id, &asked).await.ok();
        let asked = crate::api_analysis::DriversQuery { period: Some(period.to_string()), months: None };
        let drivers = crate::api_analysis::drivers_of(&state, &viewer, &view.entity.id, &asked).await.ok();
        body = maud::html! {
            (alerts) (body) @if moved { (pages::variance::card(&ctx, &variance)) }
            @if let (Some(customers), Some(drivers)) = (&customers, &drivers) { (pages::customers::card(&ctx, customers, drivers)) }
        };
        if view.entity.level == yeji_core::Level::Rep {
            let side = viewer.side(&state.facts(), &period, &view.entity.id)?;
            let items = crate::api_feedback::items_of(&state, &viewer, &view.entity.id, &period).await?;
            let manager = side == yeji_feedback::Side::Manager;
            let section = pages::feedback::section(&ctx, &view.entity.id, &items, manager);
            let review = if period.months().len() > 1 {
                let query = crate::api_feedback::DraftQuery {
                    period: Some(period.to_string()),
                    lang: Some(lang.text_lang().to_string()),
                };
                // A rep without a result in some months' evaluations still has a scorecard.
                let review = crate::api_feedback::review_of(&state, &viewer, &view.entity.id, &query).await.ok();
                review.map(|review| pages::feedback::review_card(&ctx, &review))
            } else {
                None
            };
            let plans = crate::api_plans::plans_of(&state, &viewer, &view.entity.id).await?;
            let from = items.first().filter(|i| i.draft.to_improve().next().is_some()).map(|i| i.id);
            let plans = pages::plans::section(&ctx, &view.entity.id, &plans, manager, from);
            body = maud::html! { (body) @if let Some(review) = review { (review) } (section) (plans) };
        }
        Ok(pages::layout(&ctx, "", &title, body))
    };
    respond(&ctx, page.await)
}

/// The panel of the viewer's alerts of `period` that `keep` keeps; a
/// period the data has not reached has none, and a failure (a bad rules
/// file) is said in the panel rather than failing the page.
async fn alerts_panel(
    state: &AppState,
    viewer: &Viewer,
    ctx: &pages::Ctx,
    period: &yeji_core::Period,
    keep: impl Fn(&yeji_alerts::Alert) -> bool,
) -> maud::Markup {
    match crate::api_alerts::alerts_in_scope(state, viewer, period, None, ctx.lang.text_lang()).await {
        Ok(alerts) => {
            let alerts: Vec<_> = alerts.alerts.into_iter().filter(|a| keep(a)).collect();
            pages::alerts::panel(ctx, &alerts, viewer.role().may_handle_alerts(), &ctx.here)
        }
        Err(error) if error.status == axum::http::StatusCode::BAD_REQUEST => maud::html! {},
        Err(error) => maud::html! { section.card.error #alerts { (error.message) } },
    }
}

const PAGE_SIZE: usize = 50;

/// The first row of page `page` (1-based) of `size` rows.
pub fn rows_offset(page: usize, size: usize) -> Result<usize, WebError> {
    page.checked_sub(1)
        .and_then(|before| before.checked_mul(size))
        .ok_or_else(|| WebError::bad_request("bad_page", format!("page {page} is not a page: pages count from 1")))
}

pub async fn kpi(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Path((id, kpi)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await;
    let page = async {
        let period = period?;
        let id = state.id(&id);
        let view = state.entity(&period, &id, &viewer).await?;
        let explained = view.explanation.kpis.iter().find(|k| k.kpi == kpi).ok_or_else(|| {
            WebError::not_found("unknown_kpi", format!("'{kpi}' is not a KPI of this evaluation; see /api/v1/kpis"))
        })?;
        let page = q.page.unwrap_or(1);
        let behind = state.rows_behind(&period, &id, &kpi, (rows_offset(page, PAGE_SIZE)?, PAGE_SIZE), &viewer).await?;
        let name = pages::kpi(&kpi).map_or(kpi.clone(), |k| lang.kpi_name(k).to_owned());
        let title = format!("{} · {name} · {}", view.entity.name, view.period);
        let body = pages::entity::render_kpi(
            &ctx,
            &pages::entity::KpiPage {
                entity_id: &id,
                entity_name: &view.entity.name,
                explained,
                header: &behind.header,
                rows: &behind.rows,
                total_rows: behind.total,
                page,
                page_size: PAGE_SIZE,
                table: &behind.table,
            },
        );
        Ok(pages::layout(&ctx, "", &title, body))
    };
    respond(&ctx, page.await)
}

/// The most rows a download holds (an XLSX sheet holds 1,048,576); `yeji
/// explain --rows` writes any number.
const MAX_DOWNLOAD_ROWS: usize = 1_000_000;

/// The rows behind a KPI as a download.
async fn rows_download(
    state: &AppState,
    viewer: &Viewer,
    (id, kpi): (&str, &str),
    period: Option<&str>,
    xlsx: bool,
) -> Result<Response, WebError> {
    let period = state.period(period).await?;
    let id = &state.id(id);
    let behind = state.rows_behind(&period, id, kpi, (0, MAX_DOWNLOAD_ROWS), viewer).await?;
    if behind.total > MAX_DOWNLOAD_ROWS {
        let message = format!(
            "{} rows are behind this value; downloads hold up to {MAX_DOWNLOAD_ROWS}: use `yeji explain --rows FILE`",
            behind.total
        );
        return Err(WebError::bad_request("too_many_rows", message));
    }
    let name = format!("{id}-{kpi}-{period}.{}", if xlsx { "xlsx" } else { "csv" });
    let (content_type, body) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            yeji_eval::report::rows_xlsx(&behind.header, &behind.rows).map_err(WebError::internal)?,
        )
    } else {
        (
            "text/csv; charset=utf-8",
            yeji_eval::report::rows_csv(&behind.header, &behind.rows, true).map_err(WebError::internal)?,
        )
    };
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\'], "_"));
    Ok(([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, disposition)], body).into_response())
}

pub async fn rows_csv(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path((id, kpi)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    rows_download(&state, &viewer, (&id, &kpi), q.period.as_deref(), false).await.into_response()
}

pub async fn rows_xlsx(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path((id, kpi)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    rows_download(&state, &viewer, (&id, &kpi), q.period.as_deref(), true).await.into_response()
}

#[derive(Deserialize)]
pub struct CompareForm {
    ids: Option<String>,
    period: Option<String>,
    period_b: Option<String>,
}

pub async fn compare(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    uri: Uri,
    Query(q): Query<CompareForm>,
) -> Response {
    let (ctx, period) = context(&state, lang, &uri, q.period.as_deref(), Some(&viewer)).await;
    let page = async {
        let period = period?;
        let ids = q.ids.clone().unwrap_or_default();
        let comparison = if ids.trim().is_empty() {
            None
        } else {
            let (periods, ids) = state.comparison_request(q.period.as_deref(), q.period_b.as_deref(), &ids).await?;
            Some(state.compare(&periods, &ids, &viewer).await?)
        };
        let evaluated = state.evaluation(&period).await?;
        let facts = state.facts();
        let choices: Vec<(String, String)> = evaluated
            .evaluation
            .results
            .iter()
            .filter(|r| viewer.sees(&facts, &period, r))
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect();
        let body =
            pages::compare::render(&ctx, &ids, q.period_b.as_deref().unwrap_or(""), &choices, comparison.as_ref());
        Ok(pages::layout(&ctx, "compare", lang.t("compare"), body))
    };
    respond(&ctx, page.await)
}
