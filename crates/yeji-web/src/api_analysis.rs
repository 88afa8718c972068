//! Why and where to (SPEC §8, §15.3) in the JSON API: a rep's or unit's
//! revenue change between two periods split into its effects, and its
//! forecast, each for entities in the viewer's scope only (404 otherwise).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use yeji_customers::Customers;
use yeji_forecast::{Forecast, ForecastError};
use yeji_funnel::RepFunnel;
use yeji_variance::{Drivers, Variance, VarianceError};

use crate::error::{Result, WebError};
use crate::extract::{Path, Query};
use crate::state::{AppState, Key};
use crate::viewer::Viewer;

impl From<VarianceError> for WebError {
    fn from(error: VarianceError) -> WebError {
        match error {
            VarianceError::Bad(message) => WebError::bad_request("bad_request", message),
            VarianceError::Eval(error) => error.into(),
        }
    }
}

impl From<ForecastError> for WebError {
    fn from(error: ForecastError) -> WebError {
        match error {
            ForecastError::NoSuchEntity(id) => crate::viewer::unknown_entity(&id),
            ForecastError::Eval(error) => error.into(),
            ForecastError::NoOrders | ForecastError::TooShort { .. } => {
                WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_forecast", error.to_string())
            }
            ForecastError::Metric(_) | ForecastError::Bad(_) => WebError::bad_request("bad_request", error.to_string()),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VarianceQuery {
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
    /// The period compared with (default: the same period a year earlier).
    #[param(value_type = Option<crate::api::Period>)]
    pub against: Option<String>,
}

/// The variance of `id` from `against` (default a year earlier) to `period`, for the viewer.
pub async fn variance_of(state: &AppState, viewer: &Viewer, id: &str, q: &VarianceQuery) -> Result<Arc<Variance>> {
    let period = state.period(q.period.as_deref()).await?;
    let against = match q.against.as_deref() {
        Some(text) => state.period(Some(text)).await?,
        None => period.year_ago(),
    };
    let facts = state.facts();
    viewer.check(&facts, &period, id)?;
    state
        .cached(Key::Variance(period, against, id.to_owned()), async {
            Ok(yeji_variance::variance(&facts, id, &period, &against).await?)
        })
        .await
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/variance", params(("id" = String, Path), VarianceQuery),
    responses((status = 200, body = Variance), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn variance(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<VarianceQuery>,
) -> Result<Json<Variance>> {
    Ok(Json((*variance_of(&state, &viewer, &state.id(&id), &q).await?).clone()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    /// The first month forecast (default: the month after the data's last complete month).
    #[param(value_type = Option<crate::api::Period>)]
    pub from: Option<String>,
    /// Months ahead, 1 to 60 (default 6).
    pub horizon: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/forecast", params(("id" = String, Path), ForecastQuery),
    responses((status = 200, body = Forecast), (status = 400, body = WebError), (status = 404, body = WebError),
        (status = 422, body = WebError)))]
pub(crate) async fn forecast(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ForecastQuery>,
) -> Result<Json<Forecast>> {
    let id = state.id(&id);
    let facts = state.facts();
    let from = match q.from.as_deref() {
        Some(text) => state.period(Some(text)).await?,
        None => {
            let (_, last) = state.order_dates().await?.ok_or(ForecastError::NoOrders)?;
            yeji_core::Period::month_of(yeji_forecast::data_end(last))
        }
    };
    viewer.check(&facts, &from, &id)?;
    let horizon = q.horizon.unwrap_or(6);
    Ok(Json(yeji_forecast::forecast(&facts, &id, yeji_forecast::METRIC, &from, horizon).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomersQuery {
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
    /// The change in percent against the period before that is growth or decline (default 10).
    pub band: Option<f64>,
}

/// The customers of `id` in `period` with their stages and credit, for the viewer.
pub async fn customers_of(state: &AppState, viewer: &Viewer, id: &str, q: &CustomersQuery) -> Result<Customers> {
    let period = state.period(q.period.as_deref()).await?;
    let facts = state.facts();
    viewer.check(&facts, &period, id)?;
    let band = q.band.unwrap_or(10.0);
    if !(0.0..=100.0).contains(&band) {
        return Err(WebError::bad_request("bad_band", format!("band {band}: a percentage from 0 to 100")));
    }
    let key = Key::Customers(period, id.to_owned(), (band * 100.0).round() as i64);
    let customers =
        state.cached(key, async { Ok(yeji_customers::customers(&facts, &period, id, band / 100.0).await?) });
    Ok((*customers.await?).clone())
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/customers", params(("id" = String, Path), CustomersQuery),
    responses((status = 200, body = Customers), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn customers(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<CustomersQuery>,
) -> Result<Json<Customers>> {
    Ok(Json(customers_of(&state, &viewer, &state.id(&id), &q).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DriversQuery {
    /// The months end with this period's last.
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
    /// How many months, 2 to 120 (default 12).
    pub months: Option<u32>,
}

/// What `id`'s monthly revenue moves with, for the viewer.
pub async fn drivers_of(state: &AppState, viewer: &Viewer, id: &str, q: &DriversQuery) -> Result<Drivers> {
    let period = state.period(q.period.as_deref()).await?;
    let facts = state.facts();
    viewer.check(&facts, &period, id)?;
    let months = q.months.unwrap_or(12);
    let drivers = state.cached(Key::Drivers(period, id.to_owned(), months), async {
        Ok(yeji_variance::drivers(&facts, &period, id, months).await?)
    });
    Ok((*drivers.await?).clone())
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/drivers", params(("id" = String, Path), DriversQuery),
    responses((status = 200, body = Drivers), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn drivers(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DriversQuery>,
) -> Result<Json<Drivers>> {
    Ok(Json(drivers_of(&state, &viewer, &state.id(&id), &q).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    #[param(value_type = Option<crate::api::Period>)]
    pub period: Option<String>,
    /// Stages entered by fewer opportunities say nothing (default 5).
    pub min_base: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/funnel", params(("id" = String, Path), FunnelQuery),
    responses((status = 200, body = RepFunnel), (status = 400, body = WebError), (status = 404, body = WebError)))]
pub(crate) async fn funnel(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<FunnelQuery>,
) -> Result<Json<RepFunnel>> {
    let (id, period) = (state.id(&id), state.period(q.period.as_deref()).await?);
    let facts = state.facts();
    viewer.check(&facts, &period, &id)?;
    if !facts.org().has_rep(&id) {
        return Err(WebError::bad_request("not_a_rep", format!("{id} is a unit: a funnel's bottleneck is a rep's")));
    }
    let scheme = state.scheme().await?;
    let funnels = yeji_funnel::funnels(&facts, &scheme.scheme, &period, Some(&id), q.min_base.unwrap_or(5)).await?;
    funnels.into_iter().next().map(Json).ok_or_else(|| crate::viewer::unknown_entity(&id))
}
