//! A feedback draft (SPEC §15.5): recognition first, then what to improve,
//! then the actions suggested for it, each point a sentence and the numbers
//! it cites. Deterministic: the same standing gives the same draft.

use serde::{Deserialize, Serialize};
use yeji_core::KpiId;

use crate::standing::{KpiStanding, Standing};
use crate::text::{self, phrases};
use crate::{Lang, Library, Who, business};

/// Recognition points at most (besides the overall one), and improvement points.
const MAX_RECOGNITION: usize = 2;
const MAX_IMPROVEMENT: usize = 3;
/// A KPI this far up among peers (percentile) is a strength; this far down, a weakness.
const STRONG_PERCENTILE: f64 = 60.0;
const WEAK_PERCENTILE: f64 = 40.0;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub rep_id: String,
    pub period: String,
    pub lang: Lang,
    pub sections: Vec<Section>,
}

impl Draft {
    /// The points of the sections of `kind`, in order.
    pub fn points(&self, kind: SectionKind) -> impl Iterator<Item = &Point> {
        self.sections.iter().filter(move |s| s.kind == kind).flat_map(|s| &s.points)
    }

    /// The points to improve that name their KPI (what a plan can be drafted from).
    pub fn to_improve(&self) -> impl Iterator<Item = &Point> {
        self.points(SectionKind::Improvement).filter(|p| p.kpi.is_some())
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Recognition,
    Improvement,
    Actions,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub kind: SectionKind,
    pub points: Vec<Point>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub text: String,
    /// The KPI the point is about (for an action: the KPI it should move).
    pub kpi: Option<String>,
    pub cites: Vec<Cite>,
}

/// A number a point's text uses, exactly as the evaluation computed it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cite {
    /// A KPI id, or `score` for the composite.
    pub kpi: String,
    pub what: What,
    pub value: f64,
    /// The period the value belongs to, when not the draft's own (a review's months).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The slice the value is of (`product_line=A`), when not the rep's whole business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    Value,
    Target,
    PeerMedian,
    Percentile,
    Previous,
    YearAgo,
    Rank,
    ChangePrevious,
    ChangeYearAgo,
    Threshold,
}

/// A sentence being built: its parts and the numbers they cite.
struct Sentence {
    lang: Lang,
    parts: Vec<String>,
    cites: Vec<Cite>,
}

impl Sentence {
    fn new(lang: Lang, first: String) -> Sentence {
        Sentence { lang, parts: vec![first], cites: Vec::new() }
    }

    fn cite(&mut self, kpi: &str, what: What, value: f64) -> &mut Sentence {
        self.cites.push(Cite { kpi: kpi.to_owned(), what, value, period: None, slice: None });
        self
    }

    fn part(&mut self, text: String) -> &mut Sentence {
        self.parts.push(text);
        self
    }

    fn point(self, kpi: Option<&str>) -> Point {
        let p = phrases(self.lang);
        Point {
            text: format!("{}{}", self.parts.join(p.separator), p.end),
            kpi: kpi.map(str::to_owned),
            cites: self.cites,
        }
    }
}

/// "比上季度下降 3.0 个百分点" / "down 3.0 points on last quarter".
fn change_part(lang: Lang, kpi: KpiId, delta: f64, than: &str) -> String {
    let (word, size) = (text::rise_or_fall(delta, lang), text::change(kpi, delta, lang));
    match lang {
        Lang::Zh => format!("{than}{word} {size}"),
        Lang::En => format!("{word} {size} {than}"),
    }
}

/// The sentence about one KPI; `strength` adds how far ahead of peers it is.
fn kpi_point(standing: &Standing, k: &KpiStanding, lang: Lang, strength: bool) -> Point {
    let p = phrases(lang);
    let id = k.kpi.as_str();
    let name = text::kpi_name(k.kpi, lang);
    let mut s = Sentence::new(lang, format!("{name} {}", text::value(k.kpi, k.value, lang)));
    s.cite(id, What::Value, k.value);
    if let Some(target) = k.target {
        let label = if strength && k.meets_target() == Some(true) { p.met_target } else { p.target };
        s.part(format!("{label}{}", text::value(k.kpi, target, lang))).cite(id, What::Target, target);
    }
    if let Some(median) = k.peer_median {
        s.part(format!("{}{}", p.peer_median, text::value(k.kpi, median, lang))).cite(id, What::PeerMedian, median);
    }
    if let (true, Some(share)) = (strength, k.percentile) {
        s.part(format!("{}{share:.0}%{}", p.ahead_of.0, p.ahead_of.1)).cite(id, What::Percentile, share);
    }
    if let Some(previous) = k.previous {
        let delta = k.value - previous;
        let than = text::than_previous(&standing.period, lang);
        s.part(change_part(lang, k.kpi, delta, than)).cite(id, What::ChangePrevious, delta);
    }
    let year_is_previous = standing.period.year_ago() == standing.period.previous();
    if let (Some(year_ago), false) = (k.year_ago, year_is_previous) {
        let delta = k.value - year_ago;
        s.part(change_part(lang, k.kpi, delta, text::than_year_ago(lang))).cite(id, What::ChangeYearAgo, delta);
    }
    s.point(Some(id))
}

/// "综合得分 96.7，同组排名第 5 位，比上季度上升 3.2": for a rep in the top
/// half of their peers, or one whose score rose.
fn overall_point(standing: &Standing, lang: Lang) -> Option<Point> {
    let p = phrases(lang);
    let score = standing.score?;
    let rose = standing.previous_score.is_some_and(|previous| score > previous);
    let top_half = standing.rank.is_some_and(|rank| rank * 2 <= standing.rank_of);
    if !rose && !top_half {
        return None;
    }
    let mut s = Sentence::new(lang, format!("{}{score:.1}", p.score));
    s.cite("score", What::Value, score);
    if let (true, Some(rank)) = (top_half, standing.rank) {
        s.part(format!("{}{rank}{}", p.rank.0, p.rank.1)).cite("score", What::Rank, rank as f64);
    }
    if let (true, Some(previous)) = (rose, standing.previous_score) {
        let delta = score - previous;
        let (word, than) = (text::rise_or_fall(delta, lang), text::than_previous(&standing.period, lang));
        let part = match lang {
            Lang::Zh => format!("{than}{word} {delta:.1}"),
            Lang::En => format!("{word} {delta:.1} {than}"),
        };
        s.part(part).cite("score", What::ChangePrevious, delta);
    }
    Some(s.point(None))
}

/// A strength meets its target; without a target, it is well ahead of peers.
fn is_strength(k: &KpiStanding) -> bool {
    k.meets_target().unwrap_or_else(|| k.percentile.is_some_and(|p| p >= STRONG_PERCENTILE))
}

/// A weakness misses its target; without a target, it is well behind peers.
fn is_weakness(k: &KpiStanding) -> bool {
    !k.meets_target().unwrap_or_else(|| k.percentile.is_none_or(|p| p > WEAK_PERCENTILE))
}

/// Best first: by score, then by standing among peers.
fn by_score_desc(a: &&KpiStanding, b: &&KpiStanding) -> std::cmp::Ordering {
    let key = |k: &KpiStanding| (k.score.unwrap_or(f64::MIN), k.percentile.unwrap_or(f64::MIN));
    let (ka, kb) = (key(a), key(b));
    kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
}

/// The draft for `standing` in `lang`, its actions from `library`.
pub fn draft(standing: &Standing, library: &Library, lang: Lang) -> Draft {
    let mut strengths: Vec<&KpiStanding> = standing.kpis.iter().filter(|k| is_strength(k)).collect();
    strengths.sort_by(by_score_desc);
    strengths.truncate(MAX_RECOGNITION);
    let mut recognition: Vec<Point> = overall_point(standing, lang).into_iter().collect();
    if strengths.is_empty() {
        // Everyone has a strongest KPI: recognise it, as the seed asks recognition first.
        let best = standing.kpis.iter().filter(|k| k.percentile.is_some()).min_by(by_score_desc);
        if let Some(best) = best {
            let mut point = kpi_point(standing, best, lang, true);
            point.text = format!("{}{}", phrases(lang).best_relative, point.text);
            recognition.push(point);
        }
    }
    recognition.extend(strengths.iter().map(|k| kpi_point(standing, k, lang, true)));
    recognition.extend(business::mix_point(standing, lang));

    let mut weaknesses: Vec<&KpiStanding> =
        standing.kpis.iter().filter(|k| is_weakness(k) && !strengths.iter().any(|s| s.kpi == k.kpi)).collect();
    weaknesses.sort_by(|a, b| by_score_desc(b, a));
    weaknesses.truncate(MAX_IMPROVEMENT);
    let mut improvement: Vec<Point> = weaknesses.iter().map(|k| kpi_point(standing, k, lang, false)).collect();
    let margin = improvement.iter_mut().find(|p| p.kpi.as_deref() == Some("gross_margin"));
    if let (Some(point), Some((words, cite))) = (margin, business::lowest_margin(standing, lang)) {
        let p = phrases(lang);
        let text = point.text.strip_suffix(p.end).unwrap_or(&point.text);
        point.text = format!("{text}{}{words}{}", p.separator, p.end);
        point.cites.push(cite);
    }
    if let (true, Some(first)) = (standing.who.contains(&Who::NewHire), improvement.first_mut()) {
        first.text = format!("{}{}", phrases(lang).new_hire, first.text);
    }

    let actions = actions(standing, library, lang, weaknesses.iter().map(|k| k.kpi.as_str()));
    let section = |kind, points| Section { kind, points };
    Draft {
        rep_id: standing.rep_id.clone(),
        period: standing.period.to_string(),
        lang,
        sections: vec![
            section(SectionKind::Recognition, recognition),
            section(SectionKind::Improvement, improvement),
            section(SectionKind::Actions, actions),
        ],
    }
}

/// One action for each weak KPI (one made for the rep's situation first, if
/// the library has one), and the library's actions for who the rep is.
fn actions<'a>(standing: &Standing, library: &Library, lang: Lang, weak: impl Iterator<Item = &'a str>) -> Vec<Point> {
    let mut chosen: Vec<&crate::Action> = Vec::new();
    // A new hire's situation shapes the action for a weak KPI; a lead's does not.
    let situation: Vec<Who> = standing.who.iter().copied().filter(|w| *w == Who::NewHire).collect();
    for kpi in weak {
        if let Some(action) = library.for_kpi(kpi, &situation).find(|a| !chosen.contains(a)) {
            chosen.push(action);
        }
    }
    let top_half = standing.rank.is_some_and(|rank| rank * 2 <= standing.rank_of);
    // A lead is asked to coach the team when their own results lead the way.
    for who in standing.who.iter().filter(|w| **w != Who::Lead || top_half) {
        if let Some(action) = library.for_who(*who).find(|a| !chosen.contains(a)) {
            chosen.push(action);
        }
    }
    chosen
        .into_iter()
        .map(|action| {
            let peer = standing.best_peers.get(action.kpi.as_str()).map_or(phrases(lang).top_performer, String::as_str);
            Point { text: action.text(lang, peer), kpi: Some(action.kpi.to_string()), cites: Vec::new() }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn standing() -> Standing {
        let k = |id: &str, value, target, percentile, previous| KpiStanding {
            kpi: id.parse().unwrap(),
            value,
            target,
            score: None,
            weight: 0.2,
            peer_median: Some(0.17),
            percentile: Some(percentile),
            previous,
            year_ago: None,
        };
        Standing {
            rep_id: "R001".into(),
            name: "胡芳".into(),
            period: "2026-Q3".parse().unwrap(),
            who: vec![],
            score: Some(71.0),
            previous_score: Some(75.0),
            rank: Some(40),
            rank_of: 48,
            kpis: vec![
                k("new_customer_rate", 0.08, Some(0.2), 20.0, Some(0.11)),
                k("collection_rate", 0.96, Some(0.95), 70.0, None),
            ],
            best_peers: [("new_customer_rate".to_owned(), "马娟".to_owned())].into(),
            business: vec![],
        }
    }

    #[test]
    fn the_seeds_example_reads_as_the_seed_writes_it() {
        let draft = draft(&standing(), &Library::builtin(), Lang::Zh);
        let texts: Vec<Vec<&str>> =
            draft.sections.iter().map(|s| s.points.iter().map(|p| p.text.as_str()).collect()).collect();
        assert_eq!(
            texts,
            [
                vec!["销售回款率 96.0%，达到目标 95.0%，同组中位数 17.0%，超过同组 70% 的同事。"],
                vec!["新客户开发率 8.0%，目标 20.0%，同组中位数 17.0%，比上季度下降 3.0 个百分点。"],
                vec!["参加新客户开发培训，并陪同马娟拜访客户，学习开拓新客户的方法"],
            ]
        );
        let cites: Vec<(What, f64)> = draft.sections[1].points[0].cites.iter().map(|c| (c.what, c.value)).collect();
        assert_eq!(cites[..3], [(What::Value, 0.08), (What::Target, 0.2), (What::PeerMedian, 0.17)]);
        assert_eq!(cites[3].0, What::ChangePrevious);
        assert!((cites[3].1 + 0.03).abs() < 1e-12, "value − previous");
        assert!(crate::ungrounded(&draft).is_empty());
    }

    #[test]
    fn a_lead_is_asked_to_coach_the_team_only_from_the_top_half() {
        let texts = |rank| {
            let mut lead = standing();
            lead.who = vec![Who::Lead];
            lead.kpis[0].kpi = "revenue".parse().unwrap();
            lead.rank = Some(rank);
            let draft = draft(&lead, &Library::builtin(), Lang::En);
            draft.sections[2].points.iter().map(|p| p.text.clone()).collect::<Vec<_>>()
        };
        let review = "Review the key opportunities and accounts with your manager to find where revenue can grow";
        assert_eq!(texts(40), [review], "rank 40 of 48: their own revenue first");
        assert_eq!(texts(3), [review, "Share what works with the team and coach its members"]);
    }

    #[test]
    fn a_new_hire_is_addressed_as_one_and_gets_a_mentor() {
        let mut new_hire = standing();
        new_hire.who = vec![Who::NewHire];
        let draft = draft(&new_hire, &Library::builtin(), Lang::En);
        assert!(
            draft.sections[1].points[0]
                .text
                .starts_with("In your first months, progress is what counts: New customer rate 8.0%")
        );
        let actions: Vec<&str> = draft.sections[2].points.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            actions,
            [
                "Take the new customer development training and shadow 马娟 on customer visits",
                "Have a top performer as a mentor and review one customer visit together every week",
            ]
        );
    }
}
