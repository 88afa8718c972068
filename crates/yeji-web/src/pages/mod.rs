//! Server-rendered pages (maud escapes every value it prints): the shared
//! layout (navigation, period picker, language switch) and widgets used by
//! several pages. Each page's module renders one view of `crate::views`.

pub mod alerts;
pub mod audit;
pub mod compare;
pub mod customers;
pub mod docs;
pub mod entity;
pub mod feedback;
pub mod imports;
pub mod incentives;
pub mod login;
pub mod overview;
pub mod plans;
pub mod scheme;
pub mod targets;
pub mod users;
pub mod variance;
pub mod whatif;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use serde_json::Value;
use yeji_core::Period;
use yeji_core::kpi::{CATALOGUE, Kpi, Unit};
use yeji_core::scheme::Scheme;
use yeji_eval::EntityResult;

use crate::error::WebError;
use crate::i18n::Lang;

/// What every page knows about its request.
pub struct Ctx {
    pub lang: Lang,
    /// The period shown, as the picker offers it.
    pub period: String,
    /// Periods to pick from (the data's years, halves, quarters, months).
    pub periods: Vec<String>,
    /// The request's path and query, to come back to after a language switch.
    pub here: String,
    pub company: String,
    /// Who is looking (none on the sign-in page).
    pub viewer: Option<crate::viewer::Viewer>,
}

impl Ctx {
    /// A link to `path` for the page's period.
    pub fn link(&self, path: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!("{path}{separator}period={}", encode(&self.period))
    }
}

/// Percent-encodes a query or path component.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The navigation: (label, path, whether the viewer may open it).
fn nav(viewer: Option<&crate::viewer::Viewer>) -> Vec<(&'static str, &'static str)> {
    let Some(viewer) = viewer else { return Vec::new() };
    let role = viewer.role();
    [
        ("overview", "/", true),
        ("compare", "/compare", true),
        ("plans", "/plans", true),
        ("targets", "/targets", true),
        ("incentives", "/incentives", true),
        ("imports", "/imports", role.may_change_data()),
        ("scheme", "/scheme", true),
        ("users", "/users", role.may_manage_users() && !viewer.is_local()),
        ("audit", "/audit", role.may_read_audit()),
        ("api", "/api", true),
    ]
    .into_iter()
    .filter(|(_, _, open)| *open)
    .map(|(key, path, _)| (key, path))
    .collect()
}

/// The page around `body`.
pub fn layout(ctx: &Ctx, active: &str, title: &str, body: Markup) -> Markup {
    let t = |key| ctx.lang.t(key);
    let other = if ctx.lang == Lang::Zh { "en" } else { "zh-CN" };
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 业绩 yeji" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/htmx.min.js" defer {}
                script src="/assets/echarts.min.js" defer {}
                script src="/assets/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { span.logo { "业绩" } " yeji" }
                    span.company { (ctx.company) }
                    nav {
                        @for (key, path) in nav(ctx.viewer.as_ref()) {
                            a.active[key == active] href=(if ["/", "/compare", "/targets", "/incentives"].contains(&path) { ctx.link(path) } else { path.to_owned() }) { (t(key)) }
                        }
                    }
                    form.period method="get" {
                        label for="period" { (t("period")) }
                        input #period name="period" list="periods" value=(ctx.period) size="12";
                        datalist #periods { @for p in &ctx.periods { option value=(p) {} } }
                        button type="submit" { (t("show")) }
                    }
                    a.lang href={ "/lang/" (other) "?back=" (encode(&ctx.here)) } { (t("language")) }
                    @if let Some(viewer) = ctx.viewer.as_ref().filter(|v| !v.is_local()) {
                        form.signout method="post" action="/logout" {
                            span.who #who { (viewer.principal.name) " · " (role_label(ctx.lang, viewer.role())) }
                            button type="submit" #signout { (t("sign_out")) }
                        }
                    }
                }
                @if ctx.viewer.as_ref().is_some_and(|v| v.is_local()) {
                    div.banner #no-users { (t("no_users_banner")) }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A role's name in the page's language.
pub fn role_label(lang: Lang, role: yeji_people::Role) -> &'static str {
    let (zh, en) = role.label();
    if lang == Lang::Zh { zh } else { en }
}

/// A page for an error (the same code and message as the API's JSON).
pub fn error_page(ctx: &Ctx, error: &WebError) -> Response {
    let body = html! {
        div.card.error {
            p { strong { (error.message) } }
            p.muted { "code: " (error.code) }
            p { a href=(ctx.link("/")) { "← " (ctx.lang.t("overview")) } }
        }
    };
    (error.status, Html(layout(ctx, "", ctx.lang.t("error"), body).into_string())).into_response()
}

/// A page response, or its error as a page.
pub fn respond(ctx: &Ctx, page: Result<Markup, WebError>) -> Response {
    match page {
        Ok(markup) => (StatusCode::OK, Html(markup.into_string())).into_response(),
        Err(error) => error_page(ctx, &error),
    }
}

/// An ECharts chart; `app.js` draws it from the option. Data items with a
/// `link` navigate there when clicked.
pub fn chart(option: &Value, class: &str) -> Markup {
    html! { div class={ "chart " (class) } data-option=(option.to_string()) {} }
}

/// Links to a report under `base` as HTML, PDF and XLSX.
pub fn export_links(ctx: &Ctx, base: &str) -> Markup {
    html! {
        p.exports { (ctx.lang.t("download")) ": "
            @for ext in ["html", "pdf", "xlsx"] { a href=(format!("{base}/{ext}")) { (ext.to_uppercase()) } " " } }
    }
}

pub fn kpi(id: &str) -> Option<&'static Kpi> {
    CATALOGUE.iter().find(|k| k.id == id)
}

/// A KPI's value of an entity, formatted for the page's language.
pub fn kpi_value(lang: Lang, entity: &EntityResult, id: &str) -> String {
    let value = entity.kpis.get(id).and_then(|k| k.value);
    kpi(id).map_or("–".into(), |k| lang.value(k.unit, value))
}

/// A grade as a coloured badge.
pub fn grade(grade: Option<&str>) -> Markup {
    match grade {
        Some(g) => html! { span class={ "grade g-" (g) } { (g) } },
        None => html! { span.grade { "–" } },
    }
}

/// A link to an entity's scorecard.
pub fn entity_link(ctx: &Ctx, entity: &EntityResult) -> Markup {
    html! { a href=(ctx.link(&format!("/entity/{}", encode(&entity.id)))) { (entity.name) } }
}

/// A growth figure with an arrow, green when up.
pub fn growth(value: Option<f64>) -> Markup {
    match value.filter(|v| v.is_finite()) {
        Some(v) if v >= 0.0 => html! { span.up { "▲ " (format!("{:.1}%", v * 100.0)) } },
        Some(v) => html! { span.down { "▼ " (format!("{:.1}%", -v * 100.0)) } },
        None => html! { span.muted { "–" } },
    }
}

/// A weighted KPI of the scheme as a leaderboard column: a catalogue KPI or
/// one of the scheme's formula KPIs, with its names and unit.
pub struct SchemeColumn {
    pub id: String,
    name_zh: String,
    name_en: String,
    unit: Unit,
}

impl SchemeColumn {
    pub fn of(scheme: &Scheme) -> Vec<SchemeColumn> {
        scheme
            .kpis
            .iter()
            .map(|k| {
                let id = k.kpi.clone();
                if let Some(kpi) = kpi(&id) {
                    return SchemeColumn {
                        name_zh: kpi.name_zh.into(),
                        name_en: kpi.name_en.into(),
                        unit: kpi.unit,
                        id,
                    };
                }
                let formula = scheme.formula(&id);
                let name = |n: Option<&Option<String>>| n.and_then(Clone::clone).unwrap_or_else(|| id.clone());
                SchemeColumn {
                    name_zh: name(formula.map(|f| &f.name_zh)),
                    name_en: name(formula.map(|f| &f.name_en)),
                    unit: scheme.unit_of(&id).unwrap_or(Unit::Ratio),
                    id,
                }
            })
            .collect()
    }

    fn name(&self, lang: Lang) -> &str {
        if lang == Lang::Zh { &self.name_zh } else { &self.name_en }
    }
}

/// Leaderboard rows: rank, name, unit, grade, score and the scheme's KPIs.
pub fn leaderboard(
    ctx: &Ctx,
    entities: &[EntityResult],
    kpis: &[SchemeColumn],
    names: &dyn Fn(&str) -> String,
) -> Markup {
    let t = |key| ctx.lang.t(key);
    html! {
        table.data {
            thead { tr {
                th.num { (t("rank")) } th { (t("name")) } th { (t("unit")) } th { (t("grade")) } th.num { (t("score")) }
                @for k in kpis { th.num { (k.name(ctx.lang)) } }
            } }
            tbody {
                @for e in entities {
                    tr {
                        td.num { (e.rank.map_or("–".into(), |r| r.to_string())) }
                        td { (entity_link(ctx, e)) }
                        td.muted { (e.unit_id.as_deref().map(names).unwrap_or_default()) }
                        td { (grade(e.grade.as_deref())) }
                        td.num { strong { (ctx.lang.score(e.score)) } }
                        @for k in kpis { td.num { (ctx.lang.value(k.unit, e.kpis.get(&k.id).and_then(|r| r.value))) } }
                    }
                }
            }
        }
    }
}

/// The periods the picker offers: every year, half, quarter and month of the
/// order data, newest first.
pub fn period_choices(range: Option<(chrono::NaiveDate, chrono::NaiveDate)>) -> Vec<String> {
    let Some((first, last)) = range else { return Vec::new() };
    let mut out = Vec::new();
    let mut month = Period::month_of(last);
    while month.start() >= Period::month_of(first).start() {
        out.push(month.to_string());
        month = month.previous();
    }
    let mut coarse = Vec::new();
    let mut quarter = Period::last_quarter_through(last).next();
    while quarter.end_exclusive() > first {
        let label = quarter.to_string();
        let (year, q) = label.split_once("-Q").unwrap_or((&label, "1"));
        if q == "4" {
            coarse.push(year.to_owned());
        }
        if q == "2" || q == "4" {
            coarse.push(format!("{year}-H{}", if q == "2" { 1 } else { 2 }));
        }
        coarse.push(label);
        quarter = quarter.previous();
    }
    coarse.extend(out);
    coarse
}
