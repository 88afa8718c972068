//! One file's rows: cells cleaned into typed values, checked, and appended to
//! Arrow column builders; bad rows become [`Reject`]s.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, PrimitiveBuilder, StringBuilder,
};
use arrow::datatypes::ArrowPrimitiveType;
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use yeji_core::value::{DECIMAL_SCALE, ParseOptions, parse};
use yeji_core::{ColumnType, Table, Value};

use crate::mapping::Headers;
use crate::rules::Rules;
use crate::schema::{DECIMAL_PRECISION, canonical_schema};
use crate::{Origin, Parsed, ReadOptions, Reject};

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

enum ColumnBuilder {
    Text(StringBuilder),
    Date(Date32Builder),
    Decimal(Decimal128Builder),
    Integer(Int64Builder),
    Bool(BooleanBuilder),
}

impl ColumnBuilder {
    fn new(ty: ColumnType) -> ColumnBuilder {
        match ty {
            ColumnType::Date => ColumnBuilder::Date(Date32Builder::new()),
            ColumnType::Decimal => ColumnBuilder::Decimal(
                Decimal128Builder::new()
                    .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE as i8)
                    .expect("valid decimal type"),
            ),
            ColumnType::Integer => ColumnBuilder::Integer(Int64Builder::new()),
            ColumnType::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
            _ => ColumnBuilder::Text(StringBuilder::new()),
        }
    }

    /// Appends a value already checked to be of this column's type.
    fn append(&mut self, value: &Value) {
        match (self, value) {
            (ColumnBuilder::Text(b), Value::Text(s)) => b.append_value(s),
            (ColumnBuilder::Date(b), Value::Date(d)) => b.append_value((*d - EPOCH).num_days() as i32),
            (ColumnBuilder::Decimal(b), Value::Decimal(d)) => b.append_value(decimal_to_i128(*d)),
            (ColumnBuilder::Integer(b), Value::Integer(i)) => b.append_value(*i),
            (ColumnBuilder::Bool(b), Value::Bool(v)) => b.append_value(*v),
            (ColumnBuilder::Text(b), _) => b.append_null(),
            (ColumnBuilder::Date(b), _) => b.append_null(),
            (ColumnBuilder::Decimal(b), _) => b.append_null(),
            (ColumnBuilder::Integer(b), _) => b.append_null(),
            (ColumnBuilder::Bool(b), _) => b.append_null(),
        }
    }

    /// The same values in a builder with room for `rows` rows, text sized by the
    /// width of the `so_far` rows already in.
    fn with_room(&mut self, rows: usize, so_far: usize) -> ColumnBuilder {
        match self {
            ColumnBuilder::Text(b) => {
                let width = b.values_slice().len().div_ceil(so_far.max(1));
                let mut sized = StringBuilder::with_capacity(rows, rows.saturating_mul(width));
                sized.append_array(&b.finish()).expect("the rows so far fit");
                ColumnBuilder::Text(sized)
            }
            ColumnBuilder::Date(b) => ColumnBuilder::Date(primitive_with_room(b, rows)),
            ColumnBuilder::Decimal(b) => ColumnBuilder::Decimal(primitive_with_room(b, rows)),
            ColumnBuilder::Integer(b) => ColumnBuilder::Integer(primitive_with_room(b, rows)),
            ColumnBuilder::Bool(b) => {
                let mut sized = BooleanBuilder::with_capacity(rows);
                sized.append_array(&b.finish());
                ColumnBuilder::Bool(sized)
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Text(b) => Arc::new(b.finish()),
            ColumnBuilder::Date(b) => Arc::new(b.finish()),
            ColumnBuilder::Decimal(b) => Arc::new(b.finish()),
            ColumnBuilder::Integer(b) => Arc::new(b.finish()),
            ColumnBuilder::Bool(b) => Arc::new(b.finish()),
        }
    }
}

/// The values of `builder` in a builder of the same type with room for `rows`.
fn primitive_with_room<T: ArrowPrimitiveType>(builder: &mut PrimitiveBuilder<T>, rows: usize) -> PrimitiveBuilder<T> {
    let values = builder.finish();
    let mut sized = PrimitiveBuilder::<T>::with_capacity(rows).with_data_type(values.data_type().clone());
    sized.append_array(&values);
    sized
}

/// The `Decimal128(18, 4)` mantissa of a value already rounded to four places.
pub fn decimal_to_i128(value: rust_decimal::Decimal) -> i128 {
    let mut scaled = value;
    scaled.rescale(DECIMAL_SCALE);
    scaled.mantissa()
}

/// Collects one file's rows.
pub(crate) struct RowSink {
    table: Table,
    targets: Vec<Option<usize>>,
    ignored: Vec<String>,
    options: ParseOptions,
    rules: Rules,
    values: Vec<Value>,
    builders: Vec<ColumnBuilder>,
    origins: Vec<Origin>,
    rejects: Vec<Reject>,
    rejected_rows: usize,
    file: String,
}

impl RowSink {
    pub fn new(table: Table, headers: Headers, options: &ReadOptions, file: String) -> RowSink {
        let columns = table.columns();
        RowSink {
            table,
            targets: headers.targets,
            ignored: headers.ignored,
            options: ParseOptions {
                date_format: options.mapping.date_format(table),
                fiscal_first_month: options.fiscal_first_month.max(1),
                ids: options.ids,
                dates: options.dates.filter(|_| table.is_fact()),
            },
            rules: Rules::new(table),
            values: vec![Value::Null; columns.len()],
            builders: columns.iter().map(|c| ColumnBuilder::new(c.ty)).collect(),
            origins: Vec::new(),
            rejects: Vec::new(),
            rejected_rows: 0,
            file,
        }
    }

    /// Rejects a whole row for a reason found outside the cells' values.
    pub fn reject(&mut self, line: u64, column: Option<&str>, value: &str, reason: &str) {
        self.rejects.push(Reject {
            file: self.file.clone(),
            line,
            column: column.map(str::to_owned),
            value: value.to_owned(),
            reason: reason.to_owned(),
        });
        self.rejected_rows += 1;
    }

    pub fn push(&mut self, line: u64, fields: &[&str]) {
        if fields.iter().all(|f| f.trim().is_empty()) {
            return; // a blank row carries nothing
        }
        let expected = self.targets.len();
        let extra_filled = fields.iter().skip(expected).any(|f| !f.trim().is_empty());
        if fields.len() < expected || extra_filled {
            let reason = format!(
                "the row has {} field(s) where the header has {expected} (a stray delimiter or an unclosed quote?)",
                fields.len()
            );
            return self.reject(line, None, "", &reason);
        }
        let columns = self.table.columns();
        self.values.fill(Value::Null);
        let before = self.rejects.len();
        for (field, target) in fields.iter().zip(&self.targets) {
            let Some(index) = *target else { continue };
            match parse(field, columns[index].ty, &self.options) {
                Ok(value) => self.values[index] = value,
                Err(error) => self.rejects.push(Reject {
                    file: self.file.clone(),
                    line,
                    column: Some(columns[index].name.to_owned()),
                    value: field.trim().to_owned(),
                    reason: error.to_string(),
                }),
            }
        }
        for (column, value) in columns.iter().zip(&self.values) {
            let unparsed = self.rejects[before..].iter().any(|r| r.column.as_deref() == Some(column.name));
            if column.required && value.is_null() && !unparsed {
                self.rejects.push(Reject {
                    file: self.file.clone(),
                    line,
                    column: Some(column.name.to_owned()),
                    value: String::new(),
                    reason: "required value missing".to_owned(),
                });
            }
        }
        if self.rejects.len() == before
            && let Err(violation) = self.rules.apply(&mut self.values)
        {
            self.rejects.push(Reject {
                file: self.file.clone(),
                line,
                column: Some(violation.column.to_owned()),
                value: violation.value,
                reason: violation.reason,
            });
        }
        if self.rejects.len() > before {
            self.rejected_rows += 1;
            return;
        }
        for (builder, value) in self.builders.iter_mut().zip(&self.values) {
            builder.append(value);
        }
        self.origins.push(Origin { file: 0, line });
    }

    /// Makes room for `rows` rows in all, so a large file's columns are not
    /// copied each time they outgrow their buffers.
    pub fn reserve(&mut self, rows: usize) {
        let so_far = self.origins.len();
        if rows <= so_far {
            return;
        }
        for builder in &mut self.builders {
            *builder = builder.with_room(rows, so_far);
        }
        self.origins.reserve(rows - so_far);
    }

    /// Rows accepted so far.
    pub fn len(&self) -> usize {
        self.origins.len()
    }

    pub fn finish(mut self) -> Parsed {
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(ColumnBuilder::finish).collect();
        let rows = RecordBatch::try_new(canonical_schema(self.table), arrays).expect("builders follow the schema");
        Parsed {
            table: self.table,
            rows,
            origins: self.origins,
            files: vec![self.file],
            rejects: self.rejects,
            rejected_rows: self.rejected_rows,
            duplicates: Vec::new(),
            ignored_headers: self.ignored,
        }
    }
}
