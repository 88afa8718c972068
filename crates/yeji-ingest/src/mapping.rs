//! Column mapping: which header of a file is which canonical column.
//!
//! Built-in aliases cover the common Chinese headers (销售额, 客户编号, 订单号 …);
//! a mapping file adds a company's own names and date formats:
//!
//! ```toml
//! date_format = "%d/%m/%Y"          # for every table
//! [tables.orders]
//! date_format = "%Y%m%d"            # for this table only
//! columns = { "Sales Rep" = "rep_id", "单据编号" = "order_id" }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use yeji_core::Table;
use yeji_core::value::fold_width;

use crate::IngestError;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub date_format: Option<String>,
    #[serde(default)]
    pub tables: BTreeMap<String, TableMapping>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableMapping {
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub date_format: Option<String>,
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping, IngestError> {
        let text = std::fs::read_to_string(path).map_err(|e| IngestError::io(path, e))?;
        Mapping::parse(&text).map_err(|detail| IngestError::Mapping { path: path.display().to_string(), detail })
    }

    /// Parses and checks a mapping: every table and column it names must exist.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let mapping: Mapping = toml::from_str(text).map_err(|e| e.to_string())?;
        for (name, table_mapping) in &mapping.tables {
            let table = Table::from_name(name).ok_or_else(|| format!("unknown table '{name}'"))?;
            for (header, column) in &table_mapping.columns {
                if table.column(column).is_none() {
                    return Err(format!("'{header}' maps to '{column}', which is not a column of {table}"));
                }
            }
        }
        Ok(mapping)
    }

    fn for_table(&self, table: Table) -> Option<&TableMapping> {
        self.tables.iter().find(|(name, _)| Table::from_name(name) == Some(table)).map(|(_, m)| m)
    }

    pub fn date_format(&self, table: Table) -> Option<String> {
        self.for_table(table).and_then(|m| m.date_format.clone()).or_else(|| self.date_format.clone())
    }
}

/// Where each canonical column is found in a file.
#[derive(Debug)]
pub struct Headers {
    /// For each file column, the canonical column index it feeds.
    pub targets: Vec<Option<usize>>,
    /// Headers that match no column: kept out of the store, listed in the report.
    pub ignored: Vec<String>,
}

fn clean_header(raw: &str) -> String {
    fold_width(raw.trim_start_matches('\u{feff}')).trim().to_owned()
}

/// Resolves a file's header row for `table`.
pub fn resolve(table: Table, headers: &[String], mapping: &Mapping, path: &str) -> Result<Headers, IngestError> {
    let custom = mapping.for_table(table);
    let mut targets = Vec::with_capacity(headers.len());
    let mut ignored = Vec::new();
    let mut seen: Vec<Option<usize>> = vec![None; table.columns().len()];
    for (position, raw) in headers.iter().enumerate() {
        let header = clean_header(raw);
        let by_mapping = custom.and_then(|m| m.columns.get(&header)).and_then(|name| table.column_index(name));
        let target = by_mapping.or_else(|| {
            table.columns().iter().position(|c| {
                c.name.eq_ignore_ascii_case(&header) || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(&header))
            })
        });
        if let Some(index) = target {
            if let Some(first) = seen[index] {
                return Err(IngestError::DuplicateColumn {
                    path: path.to_owned(),
                    column: table.columns()[index].name.to_owned(),
                    first: first + 1,
                    second: position + 1,
                });
            }
            seen[index] = Some(position);
        } else if !header.is_empty() {
            ignored.push(header);
        }
        targets.push(target);
    }
    let missing: Vec<String> = table
        .columns()
        .iter()
        .zip(&seen)
        .filter(|(c, found)| c.required && found.is_none())
        .map(|(c, _)| match c.aliases.first() {
            Some(alias) => format!("{} (or {alias})", c.name),
            None => c.name.to_owned(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns { path: path.to_owned(), table, columns: missing.join(", ") });
    }
    Ok(Headers { targets, ignored })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_headers_resolve_through_builtin_aliases() {
        let h = headers(&["\u{feff}订单号", "日期", "业务员", "客户编号", "产品编号", "数量", "销售额", "备注"]);
        let resolved = resolve(Table::Orders, &h, &Mapping::default(), "o.csv").unwrap();
        let names: Vec<_> = resolved.targets.iter().map(|t| t.map(|i| Table::Orders.columns()[i].name)).collect();
        assert_eq!(
            names,
            [
                Some("order_id"),
                Some("order_date"),
                Some("rep_id"),
                Some("customer_id"),
                Some("product_id"),
                Some("quantity"),
                Some("amount"),
                None
            ]
        );
        assert_eq!(resolved.ignored, ["备注"]);
    }

    #[test]
    fn a_mapping_file_names_custom_headers_and_date_formats() {
        let mapping = Mapping::parse(
            "date_format = \"%d/%m/%Y\"\n[tables.orders]\ncolumns = { \"Sales Rep\" = \"rep_id\" }\ndate_format = \"%Y%m%d\"",
        )
        .unwrap();
        let h = headers(&["order_id", "order_date", "Sales Rep", "customer_id", "product_id", "quantity", "amount"]);
        let resolved = resolve(Table::Orders, &h, &mapping, "o.csv").unwrap();
        assert_eq!(resolved.targets[2], Table::Orders.column_index("rep_id"));
        assert_eq!(mapping.date_format(Table::Orders).as_deref(), Some("%Y%m%d"));
        assert_eq!(mapping.date_format(Table::Payments).as_deref(), Some("%d/%m/%Y"));
    }

    #[test]
    fn bad_mappings_and_headers_are_named() {
        let bad = Mapping::parse("[tables.orders]\ncolumns = { \"x\" = \"revenue\" }").unwrap_err();
        assert_eq!(bad, "'x' maps to 'revenue', which is not a column of orders");
        assert_eq!(Mapping::parse("[tables.sales]").unwrap_err(), "unknown table 'sales'");
        let missing =
            resolve(Table::Payments, &headers(&["payment_id", "amount"]), &Mapping::default(), "p.csv").unwrap_err();
        assert_eq!(
            missing.to_string(),
            "p.csv: missing required column(s) for payments: invoice_id (or 发票号), payment_date (or 回款日期)"
        );
        let twice = resolve(Table::Expenses, &headers(&["expense_id", "金额", "amount"]), &Mapping::default(), "e.csv")
            .unwrap_err();
        assert_eq!(twice.to_string(), "e.csv: columns 2 and 3 are both amount");
    }
}
