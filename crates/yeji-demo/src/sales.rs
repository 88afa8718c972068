//! Month-by-month simulation of the demo company's selling: orders and
//! returns, invoices and payments, the funnel, activities, surveys, expenses,
//! and the plans around them (targets, market sizes, a 360 review cycle).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use rand::Rng;
use rand::rngs::SmallRng;

use crate::company::{Company, Persona, Rep, season};
use crate::{DemoOptions, Rows, money};

/// How a persona sells.
struct Profile {
    volume: f64,
    discount: (f64, f64),
    new_customer: f64,
    /// Probability a payment is late, and that an invoice is never paid.
    late: f64,
    unpaid: f64,
    qualify: f64,
    win: f64,
    satisfaction: f64,
    activities: u32,
    expense_share: f64,
}

fn profile(persona: Persona) -> Profile {
    let base = Profile {
        volume: 1.0,
        discount: (0.0, 0.08),
        new_customer: 0.12,
        late: 0.08,
        unpaid: 0.01,
        qualify: 0.65,
        win: 0.42,
        satisfaction: 0.84,
        activities: 32,
        expense_share: 0.03,
    };
    match persona {
        Persona::Star => Profile { volume: 1.5, win: 0.58, satisfaction: 0.92, activities: 42, ..base },
        Persona::Steady => base,
        Persona::Ramping => Profile { new_customer: 0.25, activities: 38, ..base },
        Persona::Declining => Profile { satisfaction: 0.76, activities: 22, ..base },
        Persona::Discounter => Profile { volume: 1.15, discount: (0.18, 0.32), expense_share: 0.06, ..base },
        Persona::PoorCollector => Profile { late: 0.45, unpaid: 0.18, satisfaction: 0.72, ..base },
        Persona::Hunter => Profile { volume: 0.85, new_customer: 0.38, activities: 55, ..base },
        Persona::WeakConverter => Profile { volume: 0.7, qualify: 0.32, win: 0.2, activities: 50, ..base },
    }
}

/// The rep's expected volume factor in a month (before noise).
fn volume(rep: &Rep, month: NaiveDate, first: NaiveDate, last: NaiveDate) -> f64 {
    if month < NaiveDate::from_ymd_opt(rep.hire_date.year(), rep.hire_date.month(), 1).unwrap_or(month) {
        return 0.0;
    }
    let months_since =
        |from: NaiveDate| ((month.year() - from.year()) * 12 + month.month() as i32 - from.month() as i32) as f64;
    let growth = 1.08f64.powf(months_since(first) / 12.0);
    let factor = match rep.persona {
        Persona::Ramping => (0.2 + 0.1 * months_since(rep.hire_date)).min(1.0),
        Persona::Declining => {
            let total = (months_since(first) - months_since(last)).max(1.0);
            1.35 - 0.75 * months_since(first) / total
        }
        persona => profile(persona).volume,
    };
    growth * factor * season(month)
}

fn day_in(rng: &mut SmallRng, month: NaiveDate) -> NaiveDate {
    let days = (month + Months::new(1) - month).num_days();
    month + Duration::days(rng.random_range(0..days))
}

fn quarter(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

#[derive(Default)]
struct Tables {
    orders: Vec<Vec<String>>,
    invoices: Vec<Vec<String>>,
    payments: Vec<Vec<String>>,
    opportunities: Vec<Vec<String>>,
    activities: Vec<Vec<String>>,
    surveys: Vec<Vec<String>>,
    expenses: Vec<Vec<String>>,
    targets: Vec<Vec<String>>,
    market: Vec<Vec<String>>,
    reviews: Vec<Vec<String>>,
}

pub(crate) fn simulate(rng: &mut SmallRng, company: &mut Company, options: &DemoOptions) -> Vec<(&'static str, Rows)> {
    let first = company.first_month;
    let last = options.last_month;
    let end = last + Months::new(1);
    let mut t = Tables::default();
    let mut books: Vec<Vec<usize>> = vec![Vec::new(); company.reps.len()];
    // New customers come at each rep's pace, steadily (a rep's quarter is
    // not decided by a coin landing on zero new accounts): each order adds
    // the persona's rate, and a whole one brings a new customer.
    let mut new_due: Vec<f64> = (0..company.reps.len()).map(|_| rng.random_range(0.0..1.0)).collect();
    for (index, customer) in company.customers.iter().enumerate() {
        books[customer.owner].push(index);
    }
    // Revenue by (quarter, region, product line), in cents, for market sizes.
    let mut sold: BTreeMap<(String, String, &'static str), i64> = BTreeMap::new();
    let mut month = first;
    let mut order_no = 0;
    while month <= last {
        for r in 0..company.reps.len() {
            let expected = volume(&company.reps[r], month, first, last);
            if expected == 0.0 {
                continue;
            }
            let p = profile(company.reps[r].persona);
            let orders = (6.0 * expected * rng.random_range(0.85..1.15)).round() as u32;
            let mut revenue = 0i64;
            for _ in 0..orders {
                order_no += 1;
                let date = day_in(rng, month);
                new_due[r] += p.new_customer;
                let customer = if books[r].is_empty() || new_due[r] >= 1.0 {
                    new_due[r] = (new_due[r] - 1.0).max(0.0);
                    let c = company.add_customer(rng, r, date);
                    books[r].push(c);
                    c
                } else {
                    books[r][rng.random_range(0..books[r].len())]
                };
                let sale = Sale { no: order_no, date, rep: r, customer, profile: &p, end };
                let amount = write_order(rng, company, &mut t, &sale);
                revenue += amount;
                let region = company.region_of(company.reps[r].unit_on(date)).id.clone();
                for line in t.orders.iter().rev().take_while(|o| o[0] == format!("SO{order_no:06}")) {
                    let product = company.products.iter().find(|x| x.id == line[5]).map_or("软件", |x| x.line);
                    *sold.entry((quarter(date), region.clone(), product)).or_default() += parse_cents(&line[7]);
                }
                if amount > 0 {
                    write_invoice(rng, company, &mut t, &sale, amount);
                    if rng.random_bool(0.12) {
                        write_survey(rng, company, &mut t, &sale);
                    }
                }
            }
            write_funnel(rng, &mut t, company, month, r, &p, end);
            write_activities(rng, &mut t, company, month, r, &p, &books[r]);
            for k in 0..rng.random_range(2..=4) {
                let category = ["差旅", "招待", "市场活动", "通讯"][k % 4];
                let cents =
                    ((revenue.max(2_000_000) as f64) * p.expense_share / 3.0 * rng.random_range(0.6..1.4)) as i64;
                t.expenses.push(vec![
                    format!("EX{}", t.expenses.len() + 1),
                    company.reps[r].id.clone(),
                    day_in(rng, month).to_string(),
                    money(cents),
                    category.into(),
                ]);
            }
        }
        month = month + Months::new(1);
    }
    write_targets(rng, &mut t, company, first, last);
    for ((period, region, line), cents) in &sold {
        let share = rng.random_range(0.08..0.14);
        let size = (*cents as f64 / share / 1_000_000.0).round() as i64 * 1_000_000;
        t.market.push(vec![period.clone(), money(size.max(100_000_000)), region.clone(), (*line).into()]);
    }
    write_reviews(rng, &mut t, company, last);
    vec![
        (
            "orders",
            Rows {
                header: &[
                    "order_id",
                    "line_no",
                    "order_date",
                    "rep_id",
                    "customer_id",
                    "product_id",
                    "quantity",
                    "amount",
                    "cost",
                    "unit_price",
                    "discount",
                    "channel",
                    "status",
                ],
                rows: t.orders,
            },
        ),
        (
            "invoices",
            Rows {
                header: &["invoice_id", "customer_id", "rep_id", "invoice_date", "due_date", "amount", "order_id"],
                rows: t.invoices,
            },
        ),
        ("payments", Rows { header: &["payment_id", "invoice_id", "payment_date", "amount"], rows: t.payments }),
        (
            "opportunities",
            Rows {
                header: &[
                    "opp_id",
                    "rep_id",
                    "customer_id",
                    "created_date",
                    "qualified_date",
                    "proposal_date",
                    "negotiation_date",
                    "closed_date",
                    "outcome",
                    "amount",
                    "lost_reason",
                    "source",
                ],
                rows: t.opportunities,
            },
        ),
        ("activities", Rows { header: &["activity_id", "rep_id", "date", "kind", "customer_id"], rows: t.activities }),
        (
            "surveys",
            Rows {
                header: &["survey_id", "customer_id", "date", "score", "scale", "rep_id", "comment"],
                rows: t.surveys,
            },
        ),
        ("expenses", Rows { header: &["expense_id", "rep_id", "date", "amount", "category"], rows: t.expenses }),
        (
            "targets",
            Rows { header: &["period", "entity_id", "metric", "value", "level", "product_line"], rows: t.targets },
        ),
        ("market", Rows { header: &["period", "market_size", "region", "product_line"], rows: t.market }),
        (
            "reviews",
            Rows {
                header: &["cycle", "reviewee_rep_id", "reviewer_id", "relation", "competency", "score", "comment"],
                rows: t.reviews,
            },
        ),
    ]
}

fn parse_cents(text: &str) -> i64 {
    let negative = text.starts_with('-');
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let cents = digits.parse::<i64>().unwrap_or(0);
    if negative { -cents } else { cents }
}

/// One order being simulated: its number, day, rep and customer.
#[derive(Clone, Copy)]
struct Sale<'a> {
    no: u32,
    date: NaiveDate,
    rep: usize,
    customer: usize,
    profile: &'a Profile,
    /// The end of the history: nothing is dated on or after it.
    end: NaiveDate,
}

/// Writes one order's lines (and maybe a later return); returns its net amount in cents.
fn write_order(rng: &mut SmallRng, company: &Company, t: &mut Tables, sale: &Sale) -> i64 {
    let Sale { no, date, rep: r, customer, profile: p, end } = *sale;
    let order_id = format!("SO{no:06}");
    let cancelled = rng.random_bool(0.02);
    let channel = ["offline", "offline", "online", "partner"][rng.random_range(0..4)];
    let mut total = 0;
    for line in 1..=rng.random_range(1..=3u32) {
        let product = &company.products[rng.random_range(0..company.products.len())];
        let quantity: i64 = match product.line {
            "耗材" => rng.random_range(10..=100),
            "硬件" => rng.random_range(1..=10),
            "服务" => rng.random_range(1..=5),
            _ => rng.random_range(1..=3),
        };
        let discount = rng.random_range(p.discount.0..=p.discount.1);
        let unit_price = (product.price as f64 * (1.0 - discount)).round() as i64;
        let amount = unit_price * quantity;
        // Consumables leave cost out: yeji fills in quantity × unit cost.
        let cost = if product.line == "耗材" { String::new() } else { money(product.cost * quantity) };
        let status = if cancelled { "cancelled" } else { "confirmed" };
        t.orders.push(vec![
            order_id.clone(),
            line.to_string(),
            date.to_string(),
            company.reps[r].id.clone(),
            company.customers[customer].id.clone(),
            product.id.clone(),
            quantity.to_string(),
            money(amount),
            cost,
            money(unit_price),
            format!("{discount:.4}"),
            channel.into(),
            status.into(),
        ]);
        if !cancelled {
            total += amount;
        }
    }
    if !cancelled && rng.random_bool(0.03) {
        let back = date + Duration::days(rng.random_range(5..25));
        if back < end {
            let line = &t.orders[t.orders.len() - 1].clone();
            let quantity: i64 = line[6].parse().unwrap_or(1);
            let unit_price = parse_cents(&line[9]);
            let cost = if line[8].is_empty() { String::new() } else { money(-parse_cents(&line[8]) / quantity) };
            t.orders.push(vec![
                format!("RT{no:06}"),
                "1".into(),
                back.to_string(),
                line[3].clone(),
                line[4].clone(),
                line[5].clone(),
                "-1".into(),
                money(-unit_price),
                cost,
                money(unit_price),
                line[10].clone(),
                line[11].clone(),
                "returned".into(),
            ]);
        }
    }
    total
}

fn write_invoice(rng: &mut SmallRng, company: &Company, t: &mut Tables, sale: &Sale, amount: i64) {
    let Sale { no, date, rep: r, customer, profile: p, end } = *sale;
    let invoice_id = format!("INV{no:06}");
    let terms = if company.customers[customer].segment == "大客户" { 60 } else { 30 };
    let due = date + Duration::days(terms);
    t.invoices.push(vec![
        invoice_id.clone(),
        company.customers[customer].id.clone(),
        company.reps[r].id.clone(),
        date.to_string(),
        due.to_string(),
        money(amount),
        format!("SO{no:06}"),
    ]);
    if rng.random_bool(p.unpaid) {
        return;
    }
    let late = rng.random_bool(p.late);
    let pay_day = |rng: &mut SmallRng| {
        if late {
            due + Duration::days(rng.random_range(15..120))
        } else {
            due - Duration::days(rng.random_range(0..20))
        }
    };
    // A quarter of invoices are paid in two parts.
    let parts = if rng.random_bool(0.25) { vec![amount / 2, amount - amount / 2] } else { vec![amount] };
    let mut day = pay_day(rng);
    for (k, part) in parts.into_iter().enumerate() {
        if day >= end {
            return;
        }
        t.payments.push(vec![format!("PAY{no:06}-{}", k + 1), invoice_id.clone(), day.to_string(), money(part)]);
        day += Duration::days(rng.random_range(10..40));
    }
}

fn write_survey(rng: &mut SmallRng, company: &Company, t: &mut Tables, sale: &Sale) {
    let Sale { date, rep: r, customer, profile: p, end, .. } = *sale;
    let day = date + Duration::days(rng.random_range(7..21));
    if day >= end {
        return;
    }
    let scale = if company.customers[customer].segment == "大客户" { 10 } else { 5 };
    let score =
        ((p.satisfaction + rng.random_range(-0.15..0.12)) * scale as f64).round().clamp(1.0, scale as f64) as i64;
    let comment = if score * 10 >= scale * 8 {
        "服务及时，专业"
    } else if score * 10 >= scale * 6 {
        "总体满意"
    } else {
        "响应慢，需改进"
    };
    t.surveys.push(vec![
        format!("SV{:05}", t.surveys.len() + 1),
        company.customers[customer].id.clone(),
        day.to_string(),
        score.to_string(),
        scale.to_string(),
        company.reps[r].id.clone(),
        comment.into(),
    ]);
}

fn write_funnel(
    rng: &mut SmallRng,
    t: &mut Tables,
    company: &Company,
    month: NaiveDate,
    r: usize,
    p: &Profile,
    end: NaiveDate,
) {
    for _ in 0..rng.random_range(3..=6) {
        let created = day_in(rng, month);
        let mut dates: Vec<String> = Vec::new();
        let mut day = created;
        let mut outcome = "open";
        let chances = [p.qualify, 0.7, 0.72];
        let mut stage = 0;
        while stage < 3 {
            day += Duration::days(rng.random_range(5..25));
            if day >= end {
                break;
            }
            if !rng.random_bool(chances[stage]) {
                outcome = "lost";
                break;
            }
            dates.push(day.to_string());
            stage += 1;
        }
        let mut closed = String::new();
        if outcome == "lost" {
            closed = day.to_string();
        } else if stage == 3 {
            day += Duration::days(rng.random_range(5..30));
            if day < end {
                outcome = if rng.random_bool((p.win / 0.35).min(0.95)) { "won" } else { "lost" };
                closed = day.to_string();
            }
        }
        dates.resize(3, String::new());
        let amount = rng.random_range(20..400) * 100_000;
        let lost_reason = if outcome == "lost" {
            ["价格", "竞争对手", "需求变化", "预算不足"][rng.random_range(0..4)]
        } else {
            ""
        };
        let customer = &company.customers[rng.random_range(0..company.customers.len())];
        t.opportunities.push(vec![
            format!("OP{:06}", t.opportunities.len() + 1),
            company.reps[r].id.clone(),
            customer.id.clone(),
            created.to_string(),
            dates[0].clone(),
            dates[1].clone(),
            dates[2].clone(),
            closed,
            outcome.into(),
            money(amount),
            lost_reason.into(),
            ["展会", "转介绍", "官网", "电话营销"][rng.random_range(0..4)].into(),
        ]);
    }
}

fn write_activities(
    rng: &mut SmallRng,
    t: &mut Tables,
    company: &Company,
    month: NaiveDate,
    r: usize,
    p: &Profile,
    book: &[usize],
) {
    let count = (p.activities as f64 * rng.random_range(0.8..1.2)) as u32;
    for _ in 0..count {
        let kind = ["visit", "call", "call", "demo", "meeting"][rng.random_range(0..5)];
        let customer = if book.is_empty() {
            String::new()
        } else {
            company.customers[book[rng.random_range(0..book.len())]].id.clone()
        };
        t.activities.push(vec![
            format!("AC{:07}", t.activities.len() + 1),
            company.reps[r].id.clone(),
            day_in(rng, month).to_string(),
            kind.into(),
            customer,
        ]);
    }
}

/// Monthly, quarterly and yearly revenue targets for reps, summed up the org
/// tree. One steady rep gets a target far below the peers and their own
/// record (too easy, like seed 002's case); the declining veterans ones out of reach.
fn write_targets(rng: &mut SmallRng, t: &mut Tables, company: &Company, first: NaiveDate, last: NaiveDate) {
    let mut by_unit: BTreeMap<(String, String), i64> = BTreeMap::new();
    // One steady rep's target is half their expected sales, so about half
    // the peers' too (seed 002's case: 109.5% of a 200k target while the
    // peers average 320k).
    let easy = company.reps.iter().rposition(|r| r.persona == Persona::Steady);
    let mut month = first;
    while month <= last {
        for (index, rep) in company.reps.iter().enumerate() {
            let expected = volume(rep, month, first, last);
            if expected == 0.0 {
                continue;
            }
            let stretch = match rep.persona {
                _ if Some(index) == easy => 0.5,
                Persona::Declining => 1.7,
                _ => rng.random_range(0.95..1.15),
            };
            // About 6 orders of about 1.9 lines averaging 52,000 yuan: the
            // reps' attainment centres a little below 100%, so grades spread
            // as a director expects (about 10/20/40/20/10 % S/A/B/C/D).
            let target = (expected * 6.0 * 1.9 * 52_000.0 * stretch / 1000.0).round() as i64 * 1000;
            let periods = [format!("{}-{:02}", month.year(), month.month()), quarter(month), month.year().to_string()];
            for period in periods {
                *by_unit.entry((period.clone(), rep.id.clone())).or_default() += target;
                let team = rep.unit_on(month).to_owned();
                let region = company.region_of(&team).id.clone();
                for unit in [team, region, "HQ".to_owned()] {
                    *by_unit.entry((period.clone(), unit)).or_default() += target;
                }
            }
        }
        month = month + Months::new(1);
    }
    for ((period, entity), yuan) in by_unit {
        let level = if entity == "HQ" {
            "company"
        } else if entity.starts_with('R') && !entity.starts_with("RG") {
            "rep"
        } else {
            "unit"
        };
        t.targets.push(vec![period, entity, "revenue".into(), money(yuan * 100), level.into(), String::new()]);
    }
}

fn write_reviews(rng: &mut SmallRng, t: &mut Tables, company: &Company, last: NaiveDate) {
    let cycle = format!("{}-H1", last.year());
    let competencies = ["沟通能力", "谈判能力", "产品知识", "市场意识", "新客户开发", "团队合作", "责任心"];
    for rep in &company.reps {
        let peers: Vec<&Rep> = company
            .reps
            .iter()
            .filter(|o| o.unit == rep.unit && o.id != rep.id && Some(&o.id) != rep.manager.as_ref())
            .take(3)
            .collect();
        let mut raters: Vec<(String, &str)> = vec![(rep.id.clone(), "self")];
        if let Some(manager) = &rep.manager {
            raters.push((manager.clone(), "superior"));
        }
        raters.extend(peers.iter().map(|p| (p.id.clone(), "peer")));
        let quality = profile(rep.persona).satisfaction;
        for (reviewer, relation) in raters {
            let leniency = if relation == "self" { 0.6 } else { 0.0 };
            for competency in competencies {
                let score = (quality * 5.0 + leniency + rng.random_range(-0.8..0.8)).round().clamp(1.0, 5.0) as i64;
                t.reviews.push(vec![
                    cycle.clone(),
                    rep.id.clone(),
                    reviewer.clone(),
                    relation.into(),
                    competency.into(),
                    score.to_string(),
                    String::new(),
                ]);
            }
        }
    }
}
