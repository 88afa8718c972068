//! The variance card on the rep and unit pages (SPEC §8, §15.3): the revenue
//! of the period a year earlier, the effects that change it (volume, price,
//! mix, new and lost products, other) and this period's revenue, as a
//! waterfall: each effect a bar floating from where the ones before left off.

use maud::{Markup, html};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};
use yeji_variance::Variance;

use super::{Ctx, chart};
use crate::i18n::Lang;

/// The waterfall's ECharts option: an invisible base series under the bars.
pub fn waterfall(lang: Lang, variance: &Variance) -> Value {
    let f = |d: rust_decimal::Decimal| d.to_f64().unwrap_or(0.0);
    let e = &variance.effects;
    let steps = [
        ("volume", e.volume),
        ("price", e.price),
        ("mix", e.mix),
        ("new_products", e.new_products),
        ("lost_products", e.lost_products),
        ("other_products", e.other),
    ];
    let mut labels = vec![variance.against.clone()];
    let (mut bases, mut bars) = (vec![json!(0.0)], vec![json!({ "value": f(variance.revenue_against) })]);
    let mut level = f(variance.revenue_against);
    for (key, amount) in steps {
        let amount = f(amount);
        labels.push(lang.t(key).to_owned());
        bases.push(json!(if amount >= 0.0 { level } else { level + amount }));
        let colour = if amount >= 0.0 { "#2e9e6b" } else { "#d9534f" };
        bars.push(json!({ "value": amount.abs(), "itemStyle": { "color": colour } }));
        level += amount;
    }
    labels.push(variance.period.clone());
    bases.push(json!(0.0));
    bars.push(json!({ "value": f(variance.revenue) }));
    json!({
        "tooltip": { "trigger": "axis", "axisPointer": { "type": "shadow" } },
        "grid": { "left": 70, "right": 20, "top": 20, "bottom": 40 },
        "xAxis": { "type": "category", "data": labels },
        "yAxis": { "type": "value" },
        "series": [
            { "type": "bar", "stack": "waterfall", "silent": true, "data": bases,
              "itemStyle": { "color": "transparent" }, "tooltip": { "show": false } },
            { "type": "bar", "stack": "waterfall", "data": bars, "label": { "show": true, "position": "top" } }
        ]
    })
}

pub fn card(ctx: &Ctx, variance: &Variance) -> Markup {
    let money = |d: rust_decimal::Decimal| ctx.lang.value(yeji_core::kpi::Unit::Money, d.to_f64());
    html! {
        div.card #variance {
            h2 { (ctx.lang.t("variance")) " · " (variance.against) " → " (variance.period) }
            p.muted { (money(variance.revenue_against)) " → " (money(variance.revenue)) " (" (money(variance.change)) ")" }
            (chart(&waterfall(ctx.lang, variance), ""))
        }
    }
}
