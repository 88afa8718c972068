//! Languages (zh-CN, en): the page's language from `?lang=`, the `lang` cookie
//! or the browser's Accept-Language; every label; numbers formatted per locale
//! (万 and 亿 in Chinese, thousands separators in English).

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use serde::Serialize;
use yeji_core::kpi::{Kpi, Unit};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language of an Accept-Language header, by quality.
    fn from_accept(header: &str) -> Option<Lang> {
        let mut tags: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let quality =
                    pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok())).unwrap_or(1.0);
                Some((quality, lang))
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0));
        tags.first().map(|t| t.1)
    }

    /// The label `key` in this language; the key itself when none is defined.
    /// The language of the texts yeji writes (feedback, plans, reports).
    pub fn text_lang(self) -> yeji_feedback::Lang {
        match self {
            Lang::Zh => yeji_feedback::Lang::Zh,
            Lang::En => yeji_feedback::Lang::En,
        }
    }

    pub fn t(self, key: &'static str) -> &'static str {
        LABELS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, zh, en)| if self == Lang::Zh { zh } else { en })
    }

    pub fn kpi_name(self, kpi: &Kpi) -> &'static str {
        if self == Lang::Zh { kpi.name_zh } else { kpi.name_en }
    }

    /// A KPI value as a director reads it: money in 万/亿 or with separators,
    /// ratios as percentages, "–" for no value.
    pub fn value(self, unit: Unit, value: Option<f64>) -> String {
        let Some(v) = value.filter(|v| v.is_finite()) else { return "–".into() };
        match unit {
            Unit::Money => self.money(v),
            Unit::Ratio => format!("{:.1}%", v * 100.0),
            Unit::Count => grouped(v.round()),
            Unit::Points => format!("{v:.1}"),
            Unit::Days => format!("{v:.1}{}", self.t("days")),
        }
    }

    pub fn money(self, v: f64) -> String {
        match self {
            Lang::Zh if v.abs() >= 1e8 => format!("{:.2}亿", v / 1e8),
            Lang::Zh if v.abs() >= 1e4 => format!("{:.1}万", v / 1e4),
            _ => grouped(v.round()),
        }
    }

    pub fn score(self, score: Option<f64>) -> String {
        score.filter(|s| s.is_finite()).map_or("–".into(), |s| format!("{s:.1}"))
    }
}

/// An integer-valued number with thousands separators.
pub fn grouped(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 && digits != "0" { format!("-{out}") } else { out }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let from_query = query.split('&').find_map(|p| p.strip_prefix("lang=")).and_then(Lang::parse);
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
        let from_cookie = header(COOKIE).split(';').find_map(|c| c.trim().strip_prefix("lang=")).and_then(Lang::parse);
        Ok(from_query.or(from_cookie).or_else(|| Lang::from_accept(header(ACCEPT_LANGUAGE))).unwrap_or(Lang::Zh))
    }
}

/// (key, zh-CN, en).
const LABELS: &[(&str, &str, &str)] = &[
    ("overview", "总览", "Overview"),
    ("compare", "对比", "Compare"),
    ("imports", "数据导入", "Imports"),
    ("scheme", "考核方案", "Scheme"),
    ("api", "API", "API"),
    ("period", "期间", "Period"),
    ("show", "查看", "Show"),
    ("language", "English", "中文"),
    ("target", "目标", "Target"),
    ("value", "实际", "Actual"),
    ("score", "得分", "Score"),
    ("weight", "权重", "Weight"),
    ("grade", "等级", "Grade"),
    ("rank", "排名", "Rank"),
    ("yoy", "同比", "YoY"),
    ("pop", "环比", "PoP"),
    ("trend", "月度趋势", "Monthly trend"),
    ("this_year", "本期", "This year"),
    ("last_year", "去年同期", "Last year"),
    ("gross_profit", "毛利", "Gross profit"),
    ("by_region", "区域销售额", "Revenue by region"),
    ("by_product_line", "产品线销售额", "Revenue by product line"),
    ("by_channel", "渠道销售额", "Revenue by channel"),
    ("by_segment", "客户类型销售额", "Revenue by customer segment"),
    ("leaderboard", "销售排行榜", "Leaderboard"),
    ("grades", "等级分布", "Grade distribution"),
    ("funnel", "销售漏斗", "Sales funnel"),
    ("strongest", "表现最佳", "Strongest"),
    ("weakest", "需要关注", "Needs attention"),
    ("regions", "区域", "Regions"),
    ("name", "名称", "Name"),
    ("rep", "销售代表", "Rep"),
    ("unit", "组织", "Unit"),
    ("company", "公司", "Company"),
    ("kpi", "指标", "KPI"),
    ("scorecard", "计分卡", "Scorecard"),
    ("members", "下属团队与人员", "Teams and people"),
    ("score_history", "得分历史", "Score history"),
    ("percentile", "同组百分位", "Peer percentile"),
    ("funnel_loss", "与公司相比流失最多的阶段", "Stage losing most against the company"),
    ("customers", "客户 (ABC 分析)", "Customers (ABC analysis)"),
    ("customer", "客户", "Customer"),
    ("lost_customers", "流失客户 (上期下单、本期未下单)", "Lost customers (bought last period, not this one)"),
    ("none_lost", "没有流失客户", "No customer lost"),
    ("previous_revenue", "上期销售额", "Previous revenue"),
    ("overdue_invoices", "逾期应收 (逾期超过 30 天)", "Overdue receivables (over 30 days)"),
    ("none_overdue", "没有逾期应收", "Nothing overdue"),
    ("invoice", "发票", "Invoice"),
    ("due_date", "到期日", "Due date"),
    ("days_overdue", "逾期天数", "Days overdue"),
    ("unpaid", "未收金额", "Unpaid"),
    ("revenue", "销售额", "Revenue"),
    ("class", "分类", "Class"),
    ("explanation", "得分说明", "Explanation"),
    ("formula", "公式", "Formula"),
    ("measures", "计算数据", "Measures"),
    ("target_source", "目标来源", "Target source"),
    ("rule", "计分规则", "Rule"),
    ("effective_weight", "有效权重", "Effective weight"),
    ("contribution", "贡献", "Contribution"),
    ("rows_behind", "明细数据", "Rows behind the value"),
    ("rows", "行", "rows"),
    ("download", "下载", "Download"),
    ("review", "阶段回顾（各月）", "Review, month by month"),
    ("save_edits", "保存修改", "Save the changes"),
    ("save_and_send", "保存并发送给销售", "Save and send to the rep"),
    ("edit_hint", "清空一条即删除该条；发送后只能评论", "Empty a point to drop it; once sent, only comments are added"),
    ("ungrounded", "以下数字不是 yeji 计算的结果，请核对：", "These numbers are not ones yeji computed; check them:"),
    ("previous", "上一页", "Previous"),
    ("next", "下一页", "Next"),
    ("redistributed", "缺失指标的权重已按比例分配给其他指标", "Weights of KPIs without a score went to the others"),
    ("created", "新建商机", "Created"),
    ("qualified", "已确认需求", "Qualified"),
    ("proposal", "方案报价", "Proposal"),
    ("negotiation", "商务谈判", "Negotiation"),
    ("won", "赢单", "Won"),
    ("days", "天", " d"),
    ("entities", "对象 (ID, 逗号分隔)", "Entities (ids, comma separated)"),
    ("period_b", "对比期间 (可选)", "Compared period (optional)"),
    ("upload", "上传数据文件", "Upload data files"),
    ("upload_help", "CSV 或 XLSX, 文件名为表名 (orders.csv …)", "CSV or XLSX named after the table (orders.csv …)"),
    ("allow_rejects", "导入有效行, 跳过错误行", "Import the good rows, leave out rejected ones"),
    ("import", "导入", "Import"),
    ("batches", "导入批次", "Batches"),
    ("batch", "批次", "Batch"),
    ("time", "时间", "Time"),
    ("files", "文件", "Files"),
    ("added", "新增", "Added"),
    ("changed", "变更", "Changed"),
    ("rejected", "拒绝", "Rejected"),
    ("status", "状态", "Status"),
    ("revert", "撤销", "Revert"),
    ("rejects", "错误行", "Rejected rows"),
    ("file", "文件", "File"),
    ("line", "行号", "Line"),
    ("column", "列", "Column"),
    ("reason", "原因", "Reason"),
    ("imported", "已导入", "Imported"),
    ("nothing_imported", "未导入任何数据", "Nothing was imported"),
    ("unchanged", "数据未变化", "Nothing changed"),
    ("weights", "指标权重", "KPI weights"),
    ("preview", "预览", "Preview"),
    ("save", "保存为新版本", "Save as a new version"),
    ("preview_help", "修改权重即可预览等级和排名的变化", "Change a weight to preview how grades and ranks move"),
    ("current", "当前", "Current"),
    ("proposed", "调整后", "Proposed"),
    ("moved", "变化", "Moved"),
    ("versions", "方案版本", "Versions"),
    ("unsaved", "尚未保存：调整权重后保存为新版本", "Not saved yet: set the weights, then save as a new version"),
    ("cap", "上限", "Cap"),
    ("floor", "底线", "Floor"),
    ("stretch", "挑战值", "Stretch"),
    ("add_kpi", "添加指标", "Add KPI"),
    ("remove", "移除", "Remove"),
    ("target_from_data", "取自目标数据", "from targets data"),
    ("login", "账号", "Login"),
    ("password", "密码", "Password"),
    ("sign_in", "登录", "Sign in"),
    ("sign_out", "退出", "Sign out"),
    ("feedback", "业绩反馈", "Feedback"),
    ("draft_feedback", "起草本期反馈", "Draft this period's feedback"),
    ("no_feedback", "暂无反馈", "No feedback yet"),
    ("conversation", "沟通记录", "Conversation"),
    ("state_draft", "草稿", "draft"),
    ("state_sent", "已发送", "sent"),
    ("state_acknowledged", "已确认", "acknowledged"),
    ("state_disputed", "有异议", "disputed"),
    ("state_closed", "已关闭", "closed"),
    ("step_send", "发送给销售", "Send to the rep"),
    ("step_ack", "确认", "Acknowledge"),
    ("step_dispute", "提出异议", "Dispute"),
    ("step_comment", "评论", "Comment"),
    ("step_meeting", "记录面谈", "Record a meeting"),
    ("step_close", "关闭", "Close"),
    ("step_text", "说明（异议理由、评论、面谈记录）", "Text (a dispute's reason, a comment, meeting notes)"),
    ("sign_in_title", "登录 yeji", "Sign in to yeji"),
    ("wrong_signin", "账号或密码不正确", "Wrong login or password"),
    (
        "locked_signin",
        "连续登录失败次数过多，账号已暂时锁定，请稍后再试",
        "Too many failed sign-ins: the login is locked for a while; try again later",
    ),
    (
        "no_users_banner",
        "此工作区尚无用户：本机的任何人都以管理员身份访问。添加用户：yeji user add",
        "This workspace has no users: anyone on this machine acts as its admin. Add one with yeji user add",
    ),
    ("users", "用户", "Users"),
    ("audit", "审计日志", "Audit log"),
    ("role", "角色", "Role"),
    ("scope", "范围", "Scope"),
    ("state", "状态", "State"),
    ("active", "启用", "Active"),
    ("disabled", "已停用", "Disabled"),
    ("disable", "停用", "Disable"),
    ("enable", "启用", "Enable"),
    ("add_user", "添加用户", "Add user"),
    ("entity", "对象", "Entity"),
    ("entity_hint", "主管：组织编号；销售：销售编号", "manager: org unit; rep: rep id"),
    ("actor", "操作人", "Actor"),
    ("action", "操作", "Action"),
    ("object", "对象", "Object"),
    ("before", "修改前", "Before"),
    ("after", "修改后", "After"),
    ("error", "出错了", "Something went wrong"),
    ("api_docs", "JSON API 文档", "JSON API reference"),
    ("parameters", "参数", "Parameters"),
    ("response", "响应", "Response"),
    ("none", "无", "none"),
    ("table", "数据表", "Table"),
    ("by", "操作人", "By"),
    ("plans", "改进计划", "Plans"),
    ("no_plans", "暂无改进计划", "No plans yet"),
    ("new_plan", "制定改进计划", "Write a plan"),
    ("plan_from_feedback", "按最近的反馈起草计划", "Draft a plan from the latest feedback"),
    ("plan_file", "计划（TOML，格式见 SPEC §15.5）", "The plan (TOML, as SPEC §15.5 describes)"),
    ("save_plan", "保存计划", "Save the plan"),
    ("kind_idp", "个人发展计划 IDP", "development plan (IDP)"),
    ("kind_pip", "绩效改进计划 PIP", "improvement plan (PIP)"),
    ("plan_state_draft", "草稿，待双方确认", "draft, to be agreed"),
    ("plan_state_active", "执行中", "running"),
    ("plan_state_completed", "已完成", "completed"),
    ("plan_state_cancelled", "已取消", "cancelled"),
    ("plan_state_passed", "已通过", "passed"),
    ("plan_state_failed", "未通过", "failed"),
    ("overdue", "已过评估时间", "past its evaluation date"),
    ("overdue_plans", "已过评估时间的改进计划", "Plans past their evaluation date"),
    ("alerts", "预警", "Alerts"),
    ("alert", "预警内容", "Alert"),
    ("severity", "级别", "Severity"),
    ("severity_info", "提示", "info"),
    ("severity_warning", "警告", "warning"),
    ("severity_critical", "严重", "critical"),
    ("suggested_action", "建议措施", "Suggested action"),
    ("alert_open", "待处理", "open"),
    ("alert_acknowledged", "已确认", "acknowledged"),
    ("alert_resolved", "已解决", "resolved"),
    ("alert_note", "处理说明", "what was done, or why"),
    ("alert_ack", "确认", "Acknowledge"),
    ("alert_resolve", "解决", "Resolve"),
    ("variance", "销售额变动分析", "Why revenue changed"),
    ("volume", "销量", "volume"),
    ("price", "价格", "price"),
    ("mix", "结构", "mix"),
    ("new_products", "新产品", "new products"),
    ("lost_products", "停售产品", "lost products"),
    ("other_products", "其他", "other"),
    ("more_alerts", "条未列出（见 /api/v1/alerts）", "more (see /api/v1/alerts)"),
    ("agreed_rep", "销售已确认", "agreed by the rep"),
    ("agreed_manager", "主管已确认", "agreed by the manager"),
    ("not_agreed", "未确认", "not yet agreed"),
    ("plan_step_agree", "确认此计划", "Agree to this plan"),
    ("plan_step_complete", "完成", "Complete"),
    ("plan_step_pass", "通过", "Passed"),
    ("plan_step_fail", "未通过", "Failed"),
    ("plan_step_cancel", "取消计划", "Cancel the plan"),
    ("plan_step_edit", "修改计划", "Change the plan"),
    ("plan_note", "说明（结果、取消理由）", "Note (the outcome, why it is cancelled)"),
    ("checkins", "进展记录", "Check-ins"),
    ("check_in", "记录进展", "Record progress"),
    ("item_no", "项目", "Item"),
    ("level", "水平", "Level"),
    ("note", "说明", "Note"),
    ("effect", "效果", "Effect"),
    (
        "effect_hint",
        "双重差分：(计划后 − 计划前) − (对照组后 − 对照组前)",
        "difference in differences: (after − before) − (group after − group before)",
    ),
    ("comparison_group", "对照组（同级别、无计划）", "Comparison group (same level, no plan)"),
    ("effects_by_kpi", "各指标的计划效果", "What plans achieved, by KPI"),
    ("measured", "已测量", "Measured"),
    ("mean_effect", "平均效果", "Mean effect"),
    ("kind", "类型", "Kind"),
    ("start", "开始", "Start"),
    ("targets", "目标", "Targets"),
    ("top_down_bottom_up", "自上而下与自下而上", "Top-down against bottom-up"),
    ("top_down", "下达目标", "Top-down"),
    ("bottom_up", "下级目标合计", "Bottom-up"),
    ("gap", "差额", "Gap"),
    ("no_targets", "本期暂无目标", "No targets for this period"),
    ("target_difficulty", "目标难度", "Target difficulty"),
    (
        "target_difficulty_hint",
        "目标占预测的百分比；低于 75% 且低于同级中位数为过低，高于 150% 为难以达成",
        "Each target as a percentage of its forecast: below 75% and below the peers' median is too easy, above 150% out of reach",
    ),
    ("verdict", "判断", "Verdict"),
    ("verdict_ok", "合理", "fair"),
    ("verdict_too_easy", "目标过低", "too easy"),
    ("verdict_unreachable", "难以达成", "out of reach"),
    ("verdict_no_history", "历史不足", "too little history"),
    ("target_versions", "目标版本", "Target versions"),
    ("no_target_versions", "本期尚未在系统中设定目标", "No targets set in yeji for this period"),
    ("target_state_draft", "草稿，待审批", "draft, to be approved"),
    ("target_state_approved", "已批准", "approved"),
    ("target_state_rejected", "已驳回", "rejected"),
    ("target_state_superseded", "已被取代", "superseded"),
    ("target_note", "审批意见（驳回时必填）", "note (needed to reject)"),
    ("approve", "批准", "Approve"),
    ("reject", "驳回", "Reject"),
    ("why", "理由", "Why"),
    ("propose_target", "提出目标", "Propose a target"),
    ("propose", "提交审批", "Propose"),
    ("customers_card", "客户生命周期与信用", "Customers: lifecycle and credit"),
    ("credit_risks", "需关注信用的客户", "Customers whose credit needs action"),
    ("credit_score", "信用评分", "Credit score"),
    ("open_receivables", "未收款", "Open receivables"),
    ("advice", "建议", "Advice"),
    ("over_limit", "超出授信额度", "over its credit limit"),
    ("drivers", "销售额与驱动因素的相关性", "What revenue moves with"),
    ("driver_discount", "折扣", "discount"),
    ("driver_price_index", "价格指数", "price index"),
    ("driver_activities", "客户活动", "activities"),
    ("strength_strong", "强相关", "strong"),
    ("strength_moderate", "中等相关", "moderate"),
    ("strength_weak", "弱相关", "weak"),
    ("strength_no_claim", "数据不足，不作判断", "too little to say"),
    ("months_of_data", "个月数据", "months of data"),
    ("incentives", "激励", "Pay"),
    ("statements", "激励结算单", "Statements"),
    ("pay_total", "应发合计", "Total"),
    ("pay_lines", "条明细", "lines"),
    ("export", "导出", "Export"),
    ("pay_inquiries", "薪酬疑问", "Pay inquiries"),
    ("no_pay_inquiries", "暂无疑问", "No inquiries"),
    ("resolution", "答复", "Resolution"),
    ("resolve", "答复并关闭", "Resolve"),
    ("raise_inquiry", "提出疑问", "Ask about pay"),
    ("payout_runs", "发放批次", "Payout runs"),
    ("plan_id", "方案", "Plan"),
    ("lock", "锁定", "Lock"),
    ("whatif", "方案模拟", "What-if"),
    (
        "whatif_hint",
        "修改费率、档位、阶梯或目标后试算：本期总成本、每人变化、发放与达成分布，与现行方案并列；不会保存",
        "Change rates, bands, tiers or targets and price them: the period's total cost, the change per rep and the spread of payouts and attainment beside the current plan; nothing is saved",
    ),
    ("targets_scale", "目标系数", "Targets ×"),
    ("rep_targets", "个人月目标（编号=金额）", "Reps' monthly targets (REP=VALUE)"),
    ("attainment_spread", "达成率 最低 / 25% / 中位 / 75% / 最高", "attainment min / p25 / median / p75 / max"),
    ("payout_histogram", "发放分布（人数）", "Payouts (reps)"),
    ("attainment_histogram", "达成率分布（人数）", "Attainment (reps)"),
    ("new_attainment", "新目标达成", "New attainment"),
    ("price_plan", "试算", "Price it"),
    ("whatif_current_plan", "现行方案", "Current plan"),
    ("whatif_new_plan", "新方案", "New plan"),
    ("change", "变化", "Change"),
    ("pay_spread", "最低 / 25% / 中位 / 75% / 最高", "min / p25 / median / p75 / max"),
    ("recognition", "本期表彰", "Recognition"),
    ("top_seller", "销冠之星", "Top seller"),
    ("best_service", "最佳服务奖", "Best service"),
    ("of_target", "目标达成", "of target"),
    ("surveys_rated", "份客户评价", "surveys"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_tag() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9,zh-CN;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept("fr;q=1, zh-TW;q=0.5, en;q=0.4"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept("fr, de"), None);
    }

    #[test]
    fn money_reads_in_wan_and_yi_in_chinese() {
        assert_eq!(Lang::Zh.money(123_456_789.0), "1.23亿");
        assert_eq!(Lang::Zh.money(45_600.0), "4.6万");
        assert_eq!(Lang::Zh.money(9_999.0), "9,999");
        assert_eq!(Lang::En.money(-1_234_567.4), "-1,234,567");
        assert_eq!(Lang::En.value(Unit::Ratio, Some(0.2414)), "24.1%");
        assert_eq!(Lang::En.value(Unit::Money, None), "–");
        assert_eq!(Lang::Zh.value(Unit::Points, Some(f64::NAN)), "–");
    }

    #[test]
    fn every_label_has_both_languages() {
        for (key, zh, en) in LABELS {
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
            assert_eq!(LABELS.iter().filter(|(k, _, _)| k == key).count(), 1, "{key} twice");
        }
    }
}
