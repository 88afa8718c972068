//! Reports the CLI and the web both print, built once here: results by rank,
//! the grade distribution, the KPI catalogue listing, and evaluations and
//! fact rows as CSV and XLSX.

use std::collections::BTreeSet;

use serde::Serialize;
use yeji_core::Level;
use yeji_core::kpi::{CATALOGUE, Direction, Unit};
use yeji_core::scheme::Scheme;

use crate::evaluate::{EntityResult, Evaluation};

/// Results that pass `keep`, best rank first (unranked last, then by id).
pub fn by_rank(evaluation: &Evaluation, keep: impl Fn(&EntityResult) -> bool) -> Vec<EntityResult> {
    let mut out: Vec<EntityResult> = evaluation.results.iter().filter(|r| keep(r)).cloned().collect();
    out.sort_by(|a, b| (a.rank.unwrap_or(usize::MAX), &a.id).cmp(&(b.rank.unwrap_or(usize::MAX), &b.id)));
    out
}

/// How many scored reps got one grade.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GradeCount {
    pub grade: String,
    pub reps: usize,
}

/// How many of `results`' reps got each of the scheme's grades, best grade first.
pub fn grade_counts<'a>(results: impl IntoIterator<Item = &'a EntityResult>, scheme: &Scheme) -> Vec<GradeCount> {
    let reps: Vec<&EntityResult> = results.into_iter().filter(|r| r.level == Level::Rep).collect();
    let grades = scheme.grades.bands.iter().map(|(grade, _)| grade).chain([&scheme.grades.lowest]);
    grades
        .map(|grade| GradeCount {
            grade: grade.clone(),
            reps: reps.iter().filter(|r| r.grade.as_deref() == Some(grade.as_str())).count(),
        })
        .collect()
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// One KPI of the catalogue or of a scheme's formulas, as `yeji kpis` and
/// `/api/v1/kpis` list them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KpiInfo {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub definition: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit: Unit,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub direction: Direction,
    /// Where the seeds define it, or the scheme that defines it.
    pub source: String,
}

/// The catalogue, then `scheme`'s formula KPIs.
pub fn kpi_listing(scheme: Option<&Scheme>) -> Vec<KpiInfo> {
    let mut out: Vec<KpiInfo> = CATALOGUE
        .iter()
        .map(|k| KpiInfo {
            id: k.id.into(),
            name_zh: k.name_zh.into(),
            name_en: k.name_en.into(),
            definition: k.definition.into(),
            unit: k.unit,
            direction: k.direction,
            source: k.source.into(),
        })
        .collect();
    if let Some(scheme) = scheme {
        out.extend(scheme.formulas.iter().map(|f| KpiInfo {
            id: f.id.clone(),
            name_zh: f.name_zh.clone().unwrap_or_else(|| f.id.clone()),
            name_en: f.name_en.clone().unwrap_or_else(|| f.id.clone()),
            definition: f.formula.to_string(),
            unit: f.unit,
            direction: f.direction,
            source: format!("scheme {}", scheme.name),
        }));
    }
    out
}

/// The KPI columns of evaluations: every KPI any result has, in id order.
pub fn kpi_ids(evaluations: &[Evaluation]) -> Vec<String> {
    let ids: BTreeSet<&String> =
        evaluations.iter().flat_map(|e| e.results.iter().flat_map(|r| r.kpis.keys())).collect();
    ids.into_iter().cloned().collect()
}

/// `product_line=家电` for a slice.
pub fn slice_label(evaluation: &Evaluation) -> Option<String> {
    evaluation.slice.as_ref().map(|s| format!("{}={}", s.by.name(), s.key))
}

/// The columns of an entity's row in CSV and XLSX, before one per KPI.
const ENTITY_COLUMNS: [&str; 8] = ["level", "id", "name", "unit_id", "score", "grade", "rank", "rank_of"];

/// One row per entity, one value column per KPI (and first the slice, if any).
pub fn evaluations_csv(evaluations: &[Evaluation]) -> csv::Result<String> {
    let ids = kpi_ids(evaluations);
    let sliced = evaluations.iter().any(|e| e.slice.is_some());
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = if sliced { vec!["slice"] } else { vec![] };
    header.extend(ENTITY_COLUMNS);
    header.extend(ids.iter().map(String::as_str));
    writer.write_record(&header)?;
    for (evaluation, r) in evaluations.iter().flat_map(|e| e.results.iter().map(move |r| (e, r))) {
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut row =
            if sliced { vec![evaluation.slice.as_ref().map_or(String::new(), |s| s.key.clone())] } else { vec![] };
        row.extend([
            r.level.to_string(),
            r.id.clone(),
            r.name.clone(),
            r.unit_id.clone().unwrap_or_default(),
            number(r.score),
            r.grade.clone().unwrap_or_default(),
            r.rank.map(|v| v.to_string()).unwrap_or_default(),
            r.rank_of.to_string(),
        ]);
        row.extend(ids.iter().map(|id| number(r.kpis.get(id).and_then(|k| k.value))));
        writer.write_record(&row)?;
    }
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).trim_end().to_owned())
}

/// The evaluations as a workbook, a sheet each (named by the period or the
/// slice): one row per entity, numbers as numbers.
pub fn evaluations_xlsx(evaluations: &[Evaluation]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for evaluation in evaluations {
        // Sheet names are at most 31 characters, without []:*?/\.
        let name: String = slice_label(evaluation)
            .unwrap_or_else(|| evaluation.period.clone())
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .take(31)
            .collect();
        evaluation_sheet(book.add_worksheet(), &name, evaluation)?;
    }
    book.save_to_buffer()
}

fn evaluation_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    name: &str,
    evaluation: &Evaluation,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ids = kpi_ids(std::slice::from_ref(evaluation));
    sheet.set_name(name)?;
    let mut header = ENTITY_COLUMNS.to_vec();
    header.extend(ids.iter().map(String::as_str));
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, title) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold)?;
    }
    for (index, r) in evaluation.results.iter().enumerate() {
        let row = index as u32 + 1;
        for (column, value) in [r.level.name(), &r.id, &r.name].iter().enumerate() {
            sheet.write_string(row, column as u16, *value)?;
        }
        sheet.write_string(row, 3, r.unit_id.as_deref().unwrap_or(""))?;
        let numbers = [r.score, None, r.rank.map(|v| v as f64), Some(r.rank_of as f64)];
        for (offset, value) in numbers.iter().enumerate() {
            if let Some(value) = value {
                sheet.write_number(row, 4 + offset as u16, *value)?;
            }
        }
        sheet.write_string(row, 5, r.grade.as_deref().unwrap_or(""))?;
        for (offset, id) in ids.iter().enumerate() {
            if let Some(value) = r.kpis.get(id).and_then(|k| k.value) {
                sheet.write_number(row, 8 + offset as u16, value)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 3)?;
    Ok(())
}

/// Rows of text (fact rows behind a value) as CSV: UTF-8 with a BOM when
/// `bom`, so spreadsheet programs read Chinese names right.
pub fn rows_csv(header: &[String], rows: &[Vec<String>], bom: bool) -> csv::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() });
    if !header.is_empty() {
        writer.write_record(header)?;
    }
    for row in rows {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Rows of text as a workbook: numbers stay numbers; codes with leading
/// zeros and everything else stay text.
pub fn rows_xlsx(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, name, &bold)?;
    }
    for (row, values) in rows.iter().enumerate() {
        for (column, value) in values.iter().enumerate() {
            let code_like = value.len() > 1 && value.starts_with('0') && !value.starts_with("0.");
            match value.parse::<f64>() {
                Ok(number) if number.is_finite() && !code_like => {
                    sheet.write_number(row as u32 + 1, column as u16, number)
                }
                _ => sheet.write_string(row as u32 + 1, column as u16, value),
            }?;
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_take_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }
}
