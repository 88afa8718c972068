//! The pay page's what-if: a new plan, changed revenue targets or both
//! priced against those in effect: the total cost, the spread of payouts
//! and attainment, their histograms side by side, and the change per rep
//! as a chart and a table (the largest changes).

use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};
use yeji_incentives::{Bucket, Spread, WhatIf};

use super::{Ctx, chart};
use crate::api_incentives::WhatIfBody;
use crate::i18n::Lang;
use crate::incentives::PayView;

/// The reps shown in the change chart and table.
const SHOWN_REPS: usize = 30;
const CURRENT: &str = "#9aa5b1";
const NEW: &str = "#3b6fd8";

fn number(v: &Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

fn percent(v: &Decimal) -> String {
    yeji_incentives::percent(*v)
}

fn spread(spread: &Option<Spread>, show: impl Fn(&Decimal) -> String) -> String {
    spread.as_ref().map_or("–".into(), |s| s.text(|v| show(&v)))
}

/// "<70%", "70%–80%", "≥120%": a bucket's range as `show` writes its edges.
fn range(bucket: &Bucket, show: impl Fn(&Decimal) -> String) -> String {
    match (&bucket.from, &bucket.to) {
        (None, Some(to)) => format!("<{}", show(to)),
        (Some(from), Some(to)) => format!("{}–{}", show(from), show(to)),
        (Some(from), None) => format!("≥{}", show(from)),
        (None, None) => "–".into(),
    }
}

/// How many reps fall in each range, current beside new.
fn histogram(lang: Lang, buckets: &[Bucket], show: impl Fn(&Decimal) -> String) -> Value {
    let series = |name: &str, color: &str, count: fn(&Bucket) -> usize| {
        json!({ "type": "bar", "name": name, "data": buckets.iter().map(count).collect::<Vec<_>>(),
            "itemStyle": { "color": color } })
    };
    json!({
        "tooltip": { "trigger": "axis" },
        "legend": {},
        "grid": { "left": 40, "right": 10, "top": 30, "bottom": 50 },
        "xAxis": { "type": "category", "data": buckets.iter().map(|b| range(b, &show)).collect::<Vec<_>>(),
            "axisLabel": { "rotate": 30 } },
        "yAxis": { "type": "value", "minInterval": 1 },
        "series": [series(lang.t("whatif_current_plan"), CURRENT, |b| b.current),
            series(lang.t("whatif_new_plan"), NEW, |b| b.new)]
    })
}

/// The change per rep under the new side, largest first.
fn change_chart(lang: Lang, priced: &WhatIf) -> Value {
    let reps: Vec<_> = priced.reps.iter().take(SHOWN_REPS).collect();
    json!({
        "tooltip": { "trigger": "axis" },
        "grid": { "left": 60, "right": 20, "top": 20, "bottom": 60 },
        "xAxis": { "type": "category", "data": reps.iter().map(|r| &r.name).collect::<Vec<_>>(), "axisLabel": { "rotate": 45 } },
        "yAxis": { "type": "value" },
        "series": [{ "type": "bar", "name": lang.t("change"),
            "data": reps.iter().map(|r| number(&r.change)).collect::<Vec<_>>(), "itemStyle": { "color": NEW } }]
    })
}

fn form(ctx: &Ctx, view: &PayView, asked: Option<&WhatIfBody>) -> Markup {
    let t = |key| ctx.lang.t(key);
    let scale = asked.and_then(|a| a.targets_scale.clone()).unwrap_or_default();
    let targets = asked.and_then(|a| a.targets.clone()).unwrap_or_default();
    html! {
        form method="post" action="/incentives/whatif" {
            input type="hidden" name="period" value=(view.period);
            textarea name="plan" rows="14" cols="80" { (view.plan_text) }
            label { (t("targets_scale")) " " input type="text" name="targets_scale" value=(scale) placeholder="1.1" size="6"; }
            label { (t("rep_targets")) " " textarea name="targets" rows="2" cols="40" placeholder="R1=500000" { (targets) } }
            button type="submit" { (t("price_plan")) }
        }
    }
}

fn result(ctx: &Ctx, p: &WhatIf) -> Markup {
    let (t, lang) = (|key| ctx.lang.t(key), ctx.lang);
    let money = |v: &Decimal| lang.money(number(v));
    let attainment = |a: &Option<Decimal>| a.as_ref().map_or("–".into(), percent);
    html! {
        table #whatif-result {
            thead { tr { th {} th { (t("whatif_current_plan")) } th { (t("whatif_new_plan")) } th.num { (t("change")) } } }
            tbody {
                tr { td { (t("pay_total")) } td.num { (p.current_total) } td.num { (p.new_total) } td.num.change { (p.change) } }
                tr { td { (t("pay_spread")) } td { (spread(&p.current_spread, money)) } td { (spread(&p.new_spread, money)) } td {} }
                tr #whatif-attainment { td { (t("attainment_spread")) }
                    td { (spread(&p.current_attainment, percent)) } td { (spread(&p.new_attainment, percent)) } td {} }
            }
        }
        div.grid2 {
            div { h3 { (t("payout_histogram")) } (chart(&histogram(lang, &p.payout_histogram, money), "")) }
            div { h3 { (t("attainment_histogram")) } (chart(&histogram(lang, &p.attainment_histogram, percent), "")) }
        }
        (chart(&change_chart(lang, p), "tall"))
        table #whatif-reps {
            thead { tr { th { (t("rep")) } th { (t("name")) } th.num { (t("of_target")) } th.num { (t("new_attainment")) }
                th.num { (t("whatif_current_plan")) } th.num { (t("whatif_new_plan")) } th.num { (t("change")) } } }
            tbody { @for r in p.reps.iter().take(SHOWN_REPS) {
                tr { td { (r.rep_id) } td { (r.name) } td.num { (attainment(&r.current_attainment)) }
                    td.num { (attainment(&r.new_attainment)) } td.num { (r.current) } td.num { (r.new) } td.num.change { (r.change) } }
            } }
        }
    }
}

pub fn render(ctx: &Ctx, view: &PayView, priced: Option<(&WhatIfBody, &WhatIf)>) -> Markup {
    html! {
        section.card #whatif {
            h2 { (ctx.lang.t("whatif")) }
            p.muted { (ctx.lang.t("whatif_hint")) }
            (form(ctx, view, priced.map(|(asked, _)| asked)))
            @if let Some((_, p)) = priced { (result(ctx, p)) }
        }
    }
}
