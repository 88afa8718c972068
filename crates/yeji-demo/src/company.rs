//! The demo company's structure: org tree, reps and their personas, products
//! and the customer book.

use chrono::{Datelike, Months, NaiveDate};
use rand::Rng;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;

use crate::{DemoOptions, Rows, money};

/// Rep profiles a sales director recognises; each drives the simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persona {
    /// Top seller on every measure.
    Star,
    /// Reliable, close to target.
    Steady,
    /// Hired during the history; volume grows month by month.
    Ramping,
    /// A veteran whose volume falls through the history.
    Declining,
    /// Wins volume with deep discounts: low margin.
    Discounter,
    /// Sells well, collects badly: overdue receivables.
    PoorCollector,
    /// Opens many new accounts.
    Hunter,
    /// Busy funnel, few wins.
    WeakConverter,
}

impl Persona {
    pub const ALL: [Persona; 8] = [
        Persona::Star,
        Persona::Steady,
        Persona::Ramping,
        Persona::Declining,
        Persona::Discounter,
        Persona::PoorCollector,
        Persona::Hunter,
        Persona::WeakConverter,
    ];
}

pub(crate) struct Unit {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub kind: &'static str,
}

pub(crate) struct Rep {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub manager: Option<String>,
    pub hire_date: NaiveDate,
    pub level: &'static str,
    pub base_salary: i64,
    pub persona: Persona,
    /// A later team, from a date (the rep who moves).
    pub moves_to: Option<(String, NaiveDate)>,
}

impl Rep {
    pub fn unit_on(&self, day: NaiveDate) -> &str {
        match &self.moves_to {
            Some((unit, from)) if day >= *from => unit,
            _ => &self.unit,
        }
    }
}

pub(crate) struct Product {
    pub id: String,
    pub line: &'static str,
    /// List price and unit cost in cents.
    pub price: i64,
    pub cost: i64,
}

pub(crate) struct Customer {
    pub id: String,
    pub name: String,
    pub segment: &'static str,
    pub region: String,
    pub industry: &'static str,
    pub created: NaiveDate,
    pub owner: usize,
}

pub(crate) struct Company {
    pub units: Vec<Unit>,
    pub reps: Vec<Rep>,
    pub products: Vec<Product>,
    pub customers: Vec<Customer>,
    pub first_month: NaiveDate,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "华",
    "慧", "建国", "晓东", "志强", "海燕",
];
const REGIONS: &[(&str, &str, &str)] = &[
    ("RG-E", "华东大区", "上海"),
    ("RG-S", "华南大区", "广州"),
    ("RG-N", "华北大区", "北京"),
    ("RG-W", "西南大区", "成都"),
    ("RG-C", "华中大区", "武汉"),
];
/// Product lines: (name, price range in yuan, cost share of price).
const LINES: &[(&str, (i64, i64), f64)] = &[
    ("软件", (20_000, 80_000), 0.48),
    ("硬件", (3_000, 15_000), 0.82),
    ("服务", (5_000, 30_000), 0.62),
    ("耗材", (100, 800), 0.86),
];
const SEGMENTS: &[&str] = &["大客户", "中小企业", "政府机构"];
const INDUSTRIES: &[&str] = &["制造", "零售", "金融", "教育", "医疗", "物流"];
const COMPANY_SUFFIX: &[&str] = &["科技有限公司", "贸易有限公司", "实业集团", "信息技术有限公司", "医疗器械有限公司"];

impl Company {
    pub fn new(rng: &mut SmallRng, options: &DemoOptions) -> Company {
        let first_month = options.last_month - Months::new(options.months - 1);
        let mut units =
            vec![Unit { id: "HQ".into(), name: "华夏智能集团".into(), parent: None, kind: "company" }];
        let teams_per_region = (options.reps / 10).clamp(1, 4);
        let mut teams = Vec::new();
        for (id, name, _) in REGIONS {
            units.push(Unit { id: (*id).into(), name: (*name).into(), parent: Some("HQ".into()), kind: "region" });
            for t in 1..=teams_per_region {
                let team = format!("{}{t}", id.replace("RG-", "T-"));
                let short = name.trim_end_matches("大区");
                units.push(Unit {
                    id: team.clone(),
                    name: format!("{short}{}组", ["一", "二", "三", "四"][t - 1]),
                    parent: Some((*id).into()),
                    kind: "team",
                });
                teams.push(team);
            }
        }
        let mut personas: Vec<Persona> = Persona::ALL.to_vec();
        personas.shuffle(rng);
        while personas.len() < options.reps {
            let others = [
                Persona::Steady,
                Persona::Steady,
                Persona::Steady,
                Persona::Star,
                Persona::Hunter,
                Persona::Discounter,
                Persona::PoorCollector,
                Persona::Declining,
                Persona::WeakConverter,
            ];
            personas.push(others[rng.random_range(0..others.len())]);
        }
        let mut names = std::collections::HashSet::new();
        let mut reps: Vec<Rep> = Vec::new();
        for (index, persona) in personas.into_iter().enumerate() {
            let name = loop {
                let candidate = format!(
                    "{}{}",
                    SURNAMES[rng.random_range(0..SURNAMES.len())],
                    GIVEN[rng.random_range(0..GIVEN.len())]
                );
                if names.insert(candidate.clone()) {
                    break candidate;
                }
                if names.len() > SURNAMES.len() * GIVEN.len() / 2 {
                    break format!("{candidate}{index}");
                }
            };
            let team = teams[index % teams.len()].clone();
            let lead = reps.iter().find(|r| r.unit == team && r.level == "lead").map(|r| r.id.clone());
            let hire_date = match persona {
                Persona::Ramping => options.last_month - Months::new(7),
                Persona::Declining => first_month - Months::new(rng.random_range(96..144)),
                _ => first_month - Months::new(rng.random_range(6..84)),
            };
            let level = if lead.is_none() {
                "lead"
            } else if options.last_month.signed_duration_since(hire_date).num_days() > 3 * 365 {
                "senior"
            } else {
                "junior"
            };
            let base_salary = match level {
                "lead" => 15_000,
                "senior" => 10_000,
                _ => 7_000,
            } + rng.random_range(0..10) * 200;
            reps.push(Rep {
                id: format!("R{:03}", index + 1),
                name,
                unit: team,
                manager: lead,
                hire_date,
                level,
                base_salary,
                persona,
                moves_to: None,
            });
        }
        // One steady rep changes team five months before the end of the history.
        if let Some(mover) = reps.iter_mut().find(|r| r.persona == Persona::Steady && r.level != "lead") {
            let to = teams.iter().find(|t| t.as_str() != mover.unit && !t.starts_with(&mover.unit[..3])).cloned();
            mover.moves_to = to.map(|team| (team, options.last_month - Months::new(4)));
        }
        let mut products = Vec::new();
        for (line_index, (line, (low, high), cost_share)) in LINES.iter().enumerate() {
            for p in 1..=6 {
                let price = rng.random_range(*low..=*high) * 100;
                products.push(Product {
                    id: format!("P{}{p:02}", line_index + 1),
                    line,
                    price,
                    cost: (price as f64 * cost_share) as i64,
                });
            }
        }
        let mut company = Company { units, reps, products, customers: Vec::new(), first_month };
        for owner in 0..company.reps.len() {
            for _ in 0..10 {
                let created = first_month - Months::new(rng.random_range(3..48));
                company.add_customer(rng, owner, created);
            }
        }
        company
    }

    /// The region unit of a team.
    pub fn region_of(&self, unit: &str) -> &Unit {
        let parent = self.units.iter().find(|u| u.id == unit).and_then(|u| u.parent.clone()).unwrap_or_default();
        self.units.iter().find(|u| u.id == parent).unwrap_or(&self.units[0])
    }

    pub fn add_customer(&mut self, rng: &mut SmallRng, owner: usize, created: NaiveDate) -> usize {
        let index = self.customers.len();
        let region = self.region_of(&self.reps[owner].unit).name.clone();
        let city = REGIONS.iter().find(|r| r.1 == region).map_or("深圳", |r| r.2);
        let segment = SEGMENTS[[0, 1, 1, 1, 2][rng.random_range(0..5)]];
        let name = format!(
            "{city}{}{}{}",
            SURNAMES[index % SURNAMES.len()],
            ["达", "盛", "恒", "远", "新", "华", "通", "瑞"][rng.random_range(0..8)],
            COMPANY_SUFFIX[rng.random_range(0..COMPANY_SUFFIX.len())]
        );
        self.customers.push(Customer {
            id: format!("C{:05}", index + 1),
            name,
            segment,
            region,
            industry: INDUSTRIES[rng.random_range(0..INDUSTRIES.len())],
            created,
            owner,
        });
        index
    }

    pub fn tables(&self) -> Vec<(&'static str, Rows)> {
        let mut org = Rows::new(&["unit_id", "name", "parent_id", "kind"]);
        for u in &self.units {
            org.push(vec![u.id.clone(), u.name.clone(), u.parent.clone().unwrap_or_default(), u.kind.into()]);
        }
        let mut reps = Rows::new(&[
            "rep_id",
            "name",
            "unit_id",
            "manager_rep_id",
            "hire_date",
            "level",
            "base_salary",
            "active",
            "effective_from",
        ]);
        for r in &self.reps {
            let row = |unit: &str, from: NaiveDate| {
                vec![
                    r.id.clone(),
                    r.name.clone(),
                    unit.to_owned(),
                    r.manager.clone().unwrap_or_default(),
                    r.hire_date.to_string(),
                    r.level.into(),
                    money(r.base_salary * 100),
                    "true".into(),
                    from.to_string(),
                ]
            };
            reps.push(row(&r.unit, r.hire_date));
            if let Some((unit, from)) = &r.moves_to {
                reps.push(row(unit, *from));
            }
        }
        let mut products = Rows::new(&["product_id", "name", "product_line", "unit_cost", "list_price"]);
        for p in &self.products {
            let name = format!(
                "{}{}型",
                p.line,
                ["标准", "专业", "旗舰", "企业", "轻量", "增强"][p.id[2..].parse::<usize>().unwrap_or(1) - 1]
            );
            products.push(vec![p.id.clone(), name, p.line.into(), money(p.cost), money(p.price)]);
        }
        let mut customers =
            Rows::new(&["customer_id", "name", "segment", "region", "industry", "created_date", "credit_limit"]);
        for c in &self.customers {
            let limit = if c.segment == "大客户" { 2_000_000 } else { 500_000 };
            customers.push(vec![
                c.id.clone(),
                c.name.clone(),
                c.segment.into(),
                c.region.clone(),
                c.industry.into(),
                c.created.to_string(),
                money(limit * 100),
            ]);
        }
        vec![("org_units", org), ("reps", reps), ("products", products), ("customers", customers)]
    }
}

/// Seasonality of demand by calendar month: Spring Festival dip, Q4 peak.
pub(crate) fn season(month: NaiveDate) -> f64 {
    [0.85, 0.55, 0.95, 1.0, 1.0, 1.05, 0.95, 0.9, 1.05, 1.1, 1.2, 1.4][month.month0() as usize]
}
