//! The data contract of SPEC §3: the canonical tables, their columns, types,
//! Chinese header aliases, natural keys and references. Import, storage and
//! queries all read these definitions; no other place lists a table's columns.

use std::fmt;

/// One canonical table. The order of [`Table::ALL`] is the import order: every
/// table comes after the tables it references.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    OrgUnits,
    Reps,
    Products,
    Customers,
    Orders,
    CreditSplits,
    Invoices,
    Payments,
    Expenses,
    Opportunities,
    Activities,
    Surveys,
    Market,
    Targets,
    Reviews,
}

/// How a raw cell becomes a typed value (see [`crate::value`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// An identifier: trimmed and full-width folded, its case kept (see [`crate::value::IdCase`]).
    Code,
    /// Free text: trimmed, inner white space collapsed.
    Text,
    /// A calendar date.
    Date,
    /// An exact decimal (amounts never pass through floating point).
    Decimal,
    /// A whole number.
    Integer,
    /// yes/no.
    Bool,
    /// A period such as `2026-Q3` (SPEC §4).
    Period,
    /// One of a set of canonical lower-case labels, with aliases.
    Enum(&'static Labels),
}

/// The labels of an enumerated column; `open` sets also accept unlisted labels.
#[derive(Debug, PartialEq, Eq)]
pub struct Labels {
    pub values: &'static [(&'static str, &'static [&'static str])],
    pub open: bool,
}

impl Labels {
    /// The canonical label for `raw` (already trimmed), if it is one.
    pub fn canonical(&self, raw: &str) -> Option<&'static str> {
        if let Some((canonical, _)) = self.values.iter().find(|(c, _)| *c == raw) {
            return Some(canonical);
        }
        let lower = raw.to_lowercase();
        self.values.iter().find_map(|(canonical, aliases)| {
            (*canonical == lower || aliases.iter().any(|a| a.eq_ignore_ascii_case(raw))).then_some(*canonical)
        })
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.values.iter().map(|(c, _)| *c).collect()
    }

    /// The Chinese name of a canonical label (its first alias), for display.
    pub fn name_zh(&self, canonical: &str) -> Option<&'static str> {
        self.values.iter().find(|(c, _)| *c == canonical).and_then(|(_, aliases)| aliases.first().copied())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub required: bool,
    /// The table whose key this column names, checked on import.
    pub references: Option<Table>,
    /// Other headers accepted for this column (Chinese and common English ones).
    pub aliases: &'static [&'static str],
}

const fn col(name: &'static str, ty: ColumnType, aliases: &'static [&'static str]) -> Column {
    Column { name, ty, required: false, references: None, aliases }
}

const fn req(name: &'static str, ty: ColumnType, aliases: &'static [&'static str]) -> Column {
    Column { name, ty, required: true, references: None, aliases }
}

const fn refs(mut column: Column, table: Table) -> Column {
    column.references = Some(table);
    column
}

use ColumnType::{Bool, Code, Date, Decimal, Integer, Period, Text};

pub static UNIT_KINDS: Labels = Labels {
    values: &[
        ("company", &["公司", "总部", "集团"]),
        ("region", &["大区", "区域", "地区"]),
        ("team", &["小组", "团队", "组"]),
        ("store", &["门店", "店"]),
    ],
    open: false,
};
pub static REP_LEVELS: Labels = Labels {
    values: &[("junior", &["初级"]), ("senior", &["高级", "资深"]), ("lead", &["主管", "组长"])],
    open: false,
};
pub static ORDER_STATUSES: Labels = Labels {
    values: &[
        ("confirmed", &["已确认", "确认", "完成", "已完成", "completed"]),
        ("cancelled", &["已取消", "取消", "作废", "canceled"]),
        ("returned", &["退货", "已退货", "return"]),
    ],
    open: false,
};
pub static CHANNELS: Labels = Labels {
    values: &[
        ("online", &["线上", "网店", "电商"]),
        ("offline", &["线下", "直销"]),
        ("partner", &["渠道", "代理", "经销", "合作伙伴"]),
    ],
    open: true,
};
pub static OUTCOMES: Labels = Labels {
    values: &[
        ("open", &["进行中", "跟进中", "未结"]),
        ("won", &["赢单", "成交", "赢"]),
        ("lost", &["输单", "丢单", "输"]),
    ],
    open: false,
};
pub static ACTIVITY_KINDS: Labels = Labels {
    values: &[
        ("visit", &["拜访", "上门"]),
        ("call", &["电话", "致电"]),
        ("demo", &["演示"]),
        ("meeting", &["会议", "会面"]),
    ],
    open: true,
};
pub static RELATIONS: Labels = Labels {
    values: &[
        ("self", &["自评", "本人"]),
        ("superior", &["上级"]),
        ("peer", &["同事", "同级"]),
        ("subordinate", &["下属", "下级"]),
        ("customer", &["客户"]),
    ],
    open: false,
};
pub static TARGET_LEVELS: Labels = Labels {
    values: &[
        ("company", &["公司", "总部"]),
        ("unit", &["部门", "团队", "大区", "组织"]),
        ("rep", &["个人", "销售员", "业务员"]),
    ],
    open: false,
};

const REP: &[&str] = &["销售员", "业务员", "销售员编号", "业务员编号", "销售代表", "员工编号", "salesperson"];
const CUSTOMER: &[&str] = &["客户编号", "客户代码", "客户", "customer"];
const PRODUCT: &[&str] = &["产品编号", "产品代码", "商品编号", "产品", "product", "sku"];
const UNIT: &[&str] = &["部门编号", "组织编号", "单位编号", "部门代码", "部门"];
const DATE: &[&str] = &["日期"];
const COMMENT: &[&str] = &["评语", "备注", "意见"];

static ORG_UNITS: [Column; 4] = [
    req("unit_id", Code, UNIT),
    req("name", Text, &["名称", "部门名称", "组织名称"]),
    refs(col("parent_id", Code, &["上级编号", "上级部门", "上级"]), Table::OrgUnits),
    col("kind", ColumnType::Enum(&UNIT_KINDS), &["类型", "层级"]),
];
static REPS: [Column; 9] = [
    req("rep_id", Code, REP),
    req("name", Text, &["姓名", "名称"]),
    refs(req("unit_id", Code, UNIT), Table::OrgUnits),
    refs(col("manager_rep_id", Code, &["主管", "经理", "上级"]), Table::Reps),
    col("hire_date", Date, &["入职日期"]),
    col("level", ColumnType::Enum(&REP_LEVELS), &["职级", "级别"]),
    col("base_salary", Decimal, &["底薪", "基本工资"]),
    col("active", Bool, &["在职", "是否在职"]),
    col("effective_from", Date, &["生效日期"]),
];
static PRODUCTS: [Column; 5] = [
    req("product_id", Code, PRODUCT),
    req("name", Text, &["产品名称", "名称"]),
    req("product_line", Text, &["产品线", "产品类别", "品类"]),
    col("unit_cost", Decimal, &["单位成本", "成本价"]),
    col("list_price", Decimal, &["标价", "目录价", "售价"]),
];
static CUSTOMERS: [Column; 7] = [
    req("customer_id", Code, CUSTOMER),
    req("name", Text, &["客户名称", "名称"]),
    col("segment", Text, &["客户类型", "客户分类", "细分"]),
    col("region", Text, &["区域", "地区", "大区"]),
    col("industry", Text, &["行业"]),
    col("created_date", Date, &["创建日期", "建档日期"]),
    col("credit_limit", Decimal, &["信用额度"]),
];
static ORDERS: [Column; 13] = [
    req("order_id", Code, &["订单号", "订单编号", "单号"]),
    col("line_no", Integer, &["行号"]),
    req("order_date", Date, &["日期", "订单日期", "下单日期"]),
    refs(req("rep_id", Code, REP), Table::Reps),
    refs(req("customer_id", Code, CUSTOMER), Table::Customers),
    refs(req("product_id", Code, PRODUCT), Table::Products),
    req("quantity", Decimal, &["数量"]),
    req("amount", Decimal, &["销售额", "金额", "销售金额"]),
    col("cost", Decimal, &["成本", "销售成本"]),
    col("unit_price", Decimal, &["单价"]),
    col("discount", Decimal, &["折扣"]),
    col("channel", ColumnType::Enum(&CHANNELS), &["渠道", "销售渠道"]),
    col("status", ColumnType::Enum(&ORDER_STATUSES), &["状态", "订单状态"]),
];
static INVOICES: [Column; 7] = [
    req("invoice_id", Code, &["发票号", "发票编号"]),
    refs(req("customer_id", Code, CUSTOMER), Table::Customers),
    refs(req("rep_id", Code, REP), Table::Reps),
    req("invoice_date", Date, &["开票日期", "发票日期"]),
    req("due_date", Date, &["到期日", "到期日期", "应收日期"]),
    req("amount", Decimal, &["发票金额", "应收金额", "金额"]),
    refs(col("order_id", Code, &["订单号", "订单编号"]), Table::Orders),
];
/// Split credit (SPEC §12): an order line's credit shared by several reps, in
/// percent; a line's shares sum to 100 (checked where credit is paid).
static CREDIT_SPLITS: [Column; 4] = [
    refs(req("order_id", Code, &["订单号", "订单编号"]), Table::Orders),
    col("line_no", Integer, &["行号"]),
    refs(req("rep_id", Code, REP), Table::Reps),
    req("share", Decimal, &["分配比例", "比例", "分成比例"]),
];
static PAYMENTS: [Column; 4] = [
    req("payment_id", Code, &["回款编号", "收款编号"]),
    refs(req("invoice_id", Code, &["发票号", "发票编号"]), Table::Invoices),
    req("payment_date", Date, &["回款日期", "收款日期", "日期"]),
    req("amount", Decimal, &["回款金额", "收款金额", "金额"]),
];
static EXPENSES: [Column; 5] = [
    req("expense_id", Code, &["费用编号"]),
    refs(req("rep_id", Code, REP), Table::Reps),
    req("date", Date, DATE),
    req("amount", Decimal, &["费用金额", "金额"]),
    col("category", Text, &["类别", "费用类别"]),
];
static OPPORTUNITIES: [Column; 12] = [
    req("opp_id", Code, &["商机编号"]),
    refs(req("rep_id", Code, REP), Table::Reps),
    refs(col("customer_id", Code, CUSTOMER), Table::Customers),
    req("created_date", Date, &["创建日期"]),
    col("qualified_date", Date, &["需求确认日期"]),
    col("proposal_date", Date, &["方案日期", "报价日期"]),
    col("negotiation_date", Date, &["谈判日期"]),
    col("closed_date", Date, &["关闭日期", "成交日期"]),
    col("outcome", ColumnType::Enum(&OUTCOMES), &["结果"]),
    col("amount", Decimal, &["金额", "预计金额"]),
    col("lost_reason", Text, &["输单原因"]),
    col("source", Text, &["来源", "线索来源"]),
];
static ACTIVITIES: [Column; 5] = [
    req("activity_id", Code, &["活动编号"]),
    refs(req("rep_id", Code, REP), Table::Reps),
    req("date", Date, DATE),
    col("kind", ColumnType::Enum(&ACTIVITY_KINDS), &["类型", "活动类型"]),
    refs(col("customer_id", Code, CUSTOMER), Table::Customers),
];
static SURVEYS: [Column; 7] = [
    req("survey_id", Code, &["问卷编号"]),
    refs(req("customer_id", Code, CUSTOMER), Table::Customers),
    req("date", Date, DATE),
    req("score", Decimal, &["得分", "评分"]),
    col("scale", Decimal, &["满分", "量表"]),
    refs(col("rep_id", Code, REP), Table::Reps),
    col("comment", Text, COMMENT),
];
static MARKET: [Column; 4] = [
    req("period", Period, &["期间"]),
    req("market_size", Decimal, &["市场规模", "市场总量"]),
    col("region", Text, &["区域", "地区", "大区"]),
    col("product_line", Text, &["产品线"]),
];
static TARGETS: [Column; 6] = [
    req("period", Period, &["期间"]),
    req("entity_id", Code, &["对象编号", "编号"]),
    req("metric", Text, &["指标"]),
    req("value", Decimal, &["目标值", "目标"]),
    col("level", ColumnType::Enum(&TARGET_LEVELS), &["层级"]),
    col("product_line", Text, &["产品线"]),
];
static REVIEWS: [Column; 7] = [
    req("cycle", Text, &["周期", "考核周期"]),
    refs(req("reviewee_rep_id", Code, &["被评人", "被评价人"]), Table::Reps),
    req("reviewer_id", Code, &["评价人", "评分人"]),
    req("relation", ColumnType::Enum(&RELATIONS), &["关系"]),
    req("competency", Text, &["能力项", "能力"]),
    req("score", Decimal, &["得分", "评分"]),
    col("comment", Text, COMMENT),
];

impl Table {
    pub const ALL: [Table; 15] = [
        Table::OrgUnits,
        Table::Reps,
        Table::Products,
        Table::Customers,
        Table::Orders,
        Table::CreditSplits,
        Table::Invoices,
        Table::Payments,
        Table::Expenses,
        Table::Opportunities,
        Table::Activities,
        Table::Surveys,
        Table::Market,
        Table::Targets,
        Table::Reviews,
    ];

    /// The file stem and sheet name: `orders` for `orders.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Table::OrgUnits => "org_units",
            Table::Reps => "reps",
            Table::Products => "products",
            Table::Customers => "customers",
            Table::Orders => "orders",
            Table::CreditSplits => "credit_splits",
            Table::Invoices => "invoices",
            Table::Payments => "payments",
            Table::Expenses => "expenses",
            Table::Opportunities => "opportunities",
            Table::Activities => "activities",
            Table::Surveys => "surveys",
            Table::Market => "market",
            Table::Targets => "targets",
            Table::Reviews => "reviews",
        }
    }

    /// Chinese names, accepted as file stems and sheet names too.
    pub fn chinese_name(self) -> &'static str {
        match self {
            Table::OrgUnits => "组织架构",
            Table::Reps => "销售人员",
            Table::Products => "产品",
            Table::Customers => "客户",
            Table::Orders => "订单",
            Table::CreditSplits => "业绩分配",
            Table::Invoices => "发票",
            Table::Payments => "回款",
            Table::Expenses => "费用",
            Table::Opportunities => "商机",
            Table::Activities => "活动",
            Table::Surveys => "满意度调查",
            Table::Market => "市场",
            Table::Targets => "目标",
            Table::Reviews => "360评估",
        }
    }

    /// The table a file stem or sheet name stands for (case-insensitive).
    pub fn from_name(name: &str) -> Option<Table> {
        let name = name.trim();
        Table::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name) || t.chinese_name() == name)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::OrgUnits => &ORG_UNITS,
            Table::Reps => &REPS,
            Table::Products => &PRODUCTS,
            Table::Customers => &CUSTOMERS,
            Table::Orders => &ORDERS,
            Table::CreditSplits => &CREDIT_SPLITS,
            Table::Invoices => &INVOICES,
            Table::Payments => &PAYMENTS,
            Table::Expenses => &EXPENSES,
            Table::Opportunities => &OPPORTUNITIES,
            Table::Activities => &ACTIVITIES,
            Table::Surveys => &SURVEYS,
            Table::Market => &MARKET,
            Table::Targets => &TARGETS,
            Table::Reviews => &REVIEWS,
        }
    }

    pub fn column(self, name: &str) -> Option<&'static Column> {
        self.columns().iter().find(|c| c.name == name)
    }

    pub fn column_index(self, name: &str) -> Option<usize> {
        self.columns().iter().position(|c| c.name == name)
    }

    /// The columns that identify a row: importing a row with the same key again
    /// replaces the stored one.
    pub fn natural_key(self) -> &'static [&'static str] {
        match self {
            Table::Reps => &["rep_id", "effective_from"],
            Table::Orders => &["order_id", "line_no"],
            Table::CreditSplits => &["order_id", "line_no", "rep_id"],
            Table::Market => &["period", "region", "product_line"],
            Table::Targets => &["period", "entity_id", "metric", "product_line"],
            Table::Reviews => &["cycle", "reviewee_rep_id", "reviewer_id", "competency"],
            other => std::slice::from_ref(&other.columns()[0].name),
        }
    }

    /// Whether the table holds facts, whose dates and periods must lie in the
    /// workspace's plausible range (SPEC §3). Master data (org units, reps,
    /// products, customers) may carry old hire and creation dates.
    pub fn is_fact(self) -> bool {
        !matches!(self, Table::OrgUnits | Table::Reps | Table::Products | Table::Customers | Table::Reviews)
    }

    /// The date on which a row's rep is credited to a unit: facts with a rep store
    /// the rep's unit on that date in a derived `unit_id` column.
    pub fn credit_date(self) -> Option<&'static str> {
        match self {
            Table::Orders => Some("order_date"),
            Table::Invoices => Some("invoice_date"),
            Table::Expenses | Table::Activities | Table::Surveys => Some("date"),
            Table::Opportunities => Some("created_date"),
            _ => None,
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_round_trips_its_name() {
        for table in Table::ALL {
            assert_eq!(Table::from_name(table.name()), Some(table));
            assert_eq!(Table::from_name(table.chinese_name()), Some(table));
        }
        assert_eq!(Table::from_name("ORDERS"), Some(Table::Orders));
        assert_eq!(Table::from_name("sales"), None);
    }

    #[test]
    fn natural_keys_and_references_name_real_columns() {
        for table in Table::ALL {
            for key in table.natural_key() {
                assert!(table.column(key).is_some(), "{table}.{key}");
            }
            for column in table.columns() {
                if let Some(target) = column.references {
                    assert!(target <= table, "{table} must import after {target}");
                }
            }
        }
    }

    #[test]
    fn headers_and_aliases_are_unambiguous_within_a_table() {
        for table in Table::ALL {
            let mut seen = std::collections::HashSet::new();
            for column in table.columns() {
                assert!(seen.insert(column.name), "{table}: {}", column.name);
                for alias in column.aliases {
                    assert!(seen.insert(alias), "{table}: alias {alias}");
                }
            }
        }
    }

    #[test]
    fn labels_accept_aliases_and_case() {
        assert_eq!(ORDER_STATUSES.canonical("退货"), Some("returned"));
        assert_eq!(ORDER_STATUSES.canonical("Confirmed"), Some("confirmed"));
        assert_eq!(ORDER_STATUSES.canonical("shipped"), None);
    }
}
