//! Arrow schemas of the canonical tables, derived from the data contract.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, new_null_array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use yeji_core::value::DECIMAL_SCALE;
use yeji_core::{ColumnType, Table};

/// Amounts are `Decimal128(18, 4)`: exact, and stored in eight bytes by Parquet.
pub const DECIMAL_PRECISION: u8 = 18;

/// The derived column holding the unit a row's rep belonged to on its credit date.
pub const CREDITED_UNIT: &str = "credited_unit_id";

/// The derived column of orders marking each customer's first confirmed line
/// (the earliest by order date, order id, line number).
pub const FIRST_LINE: &str = "first_line";

/// The derived columns of invoices: the total of their payments, and the day
/// of the last one.
pub const PAID_TOTAL: &str = "paid_total";
pub const LAST_PAYMENT: &str = "last_payment_date";

pub fn data_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Code | ColumnType::Text | ColumnType::Period | ColumnType::Enum(_) => DataType::Utf8,
        ColumnType::Date => DataType::Date32,
        ColumnType::Decimal => DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE as i8),
        ColumnType::Integer => DataType::Int64,
        ColumnType::Bool => DataType::Boolean,
    }
}

/// The columns of a table as imported: every contract column, all nullable (an
/// absent optional column is all nulls).
pub fn canonical_schema(table: Table) -> SchemaRef {
    let fields: Vec<Field> = table.columns().iter().map(|c| Field::new(c.name, data_type(c.ty), true)).collect();
    Arc::new(Schema::new(fields))
}

/// The columns of a table as stored: the canonical ones, then the derived
/// [`CREDITED_UNIT`] for tables with a credit date, [`FIRST_LINE`] for orders,
/// [`PAID_TOTAL`] and [`LAST_PAYMENT`] for invoices.
pub fn stored_schema(table: Table) -> SchemaRef {
    let mut fields: Vec<Field> = canonical_schema(table).fields().iter().map(|f| f.as_ref().clone()).collect();
    if table.credit_date().is_some() {
        fields.push(Field::new(CREDITED_UNIT, DataType::Utf8, true));
    }
    if table == Table::Orders {
        fields.push(Field::new(FIRST_LINE, DataType::Boolean, true));
    }
    if table == Table::Invoices {
        fields.push(Field::new(PAID_TOTAL, data_type(ColumnType::Decimal), true));
        fields.push(Field::new(LAST_PAYMENT, DataType::Date32, true));
    }
    Arc::new(Schema::new(fields))
}

/// A batch of `table`'s canonical columns holding `rows` rows: each column
/// `column(name)` gives, every other one null.
pub fn canonical_batch(table: Table, rows: usize, column: impl Fn(&str) -> Option<ArrayRef>) -> RecordBatch {
    let schema = canonical_schema(table);
    let columns = schema
        .fields()
        .iter()
        .map(|f| column(f.name()).unwrap_or_else(|| new_null_array(f.data_type(), rows)))
        .collect();
    RecordBatch::try_new(schema, columns).expect("columns of the contract's types")
}
