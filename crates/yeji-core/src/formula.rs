//! User formulas over KPIs (SPEC §5: "users add KPIs by formula over the
//! catalogue", e.g. `revenue / activities`).
//!
//! The language is arithmetic only: numbers, KPI ids, `+ - * /`, unary minus
//! and parentheses. It is parsed here rather than by a general expression crate
//! because those also accept assignments, strings and function calls, which a
//! scheme must not be able to run; a grammar this small is a few lines, and its
//! errors can point at the column.
//!
//! ```
//! use yeji_core::formula::Expr;
//! let expr: Expr = "revenue / activities".parse().unwrap();
//! let value = |id: &str| match id { "revenue" => Some(90_000.0), "activities" => Some(60.0), _ => None };
//! assert_eq!(expr.evaluate(value), Some(1_500.0));
//! // A zero denominator, like a missing operand, is "no value", never ∞ or NaN.
//! assert_eq!(expr.evaluate(|id| Some(if id == "activities" { 0.0 } else { 1.0 })), None);
//! assert_eq!("revenue / (activities".parse::<Expr>().unwrap_err().to_string(),
//!            "column 22: expected ')' but the formula ends");
//! ```

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Sub => '-',
            Op::Mul => '*',
            Op::Div => '/',
        }
    }

    fn precedence(self) -> u8 {
        match self {
            Op::Add | Op::Sub => 1,
            Op::Mul | Op::Div => 2,
        }
    }
}

/// A parsed formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    Kpi(String),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
}

/// Why a formula does not parse, and where (1-based column, in characters).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {reason}")]
pub struct FormulaError {
    pub column: usize,
    pub reason: String,
}

impl Expr {
    /// The KPI ids the formula reads, each once, in order of appearance.
    pub fn references(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Number(_) => {}
            Expr::Kpi(id) => {
                if !out.contains(&id.as_str()) {
                    out.push(id);
                }
            }
            Expr::Neg(inner) => inner.collect(out),
            Expr::Binary(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// The value, given each referenced KPI's; `None` when an operand has no
    /// value or a denominator is 0.
    pub fn evaluate(&self, value_of: impl Fn(&str) -> Option<f64> + Copy) -> Option<f64> {
        let value = match self {
            Expr::Number(n) => *n,
            Expr::Kpi(id) => value_of(id)?,
            Expr::Neg(inner) => -inner.evaluate(value_of)?,
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.evaluate(value_of)?, b.evaluate(value_of)?);
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div if b == 0.0 => return None,
                    Op::Div => a / b,
                }
            }
        };
        value.is_finite().then_some(value)
    }
}

impl FromStr for Expr {
    type Err = FormulaError;

    fn from_str(text: &str) -> Result<Expr, FormulaError> {
        let mut parser = Parser { chars: text.chars().collect(), at: 0 };
        let expr = parser.expression(0)?;
        parser.skip_space();
        match parser.peek() {
            None => Ok(expr),
            Some(c) => Err(parser.error(format!("unexpected '{c}'"))),
        }
    }
}

/// Precedence climbing over the characters of the formula.
struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn error(&self, reason: String) -> FormulaError {
        FormulaError { column: self.at + 1, reason }
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn operator(&mut self) -> Option<Op> {
        self.skip_space();
        match self.peek()? {
            '+' => Some(Op::Add),
            '-' => Some(Op::Sub),
            '*' => Some(Op::Mul),
            '/' => Some(Op::Div),
            _ => None,
        }
    }

    /// Operands joined by operators binding tighter than `min`.
    fn expression(&mut self, min: u8) -> Result<Expr, FormulaError> {
        let mut left = self.operand()?;
        while let Some(op) = self.operator().filter(|op| op.precedence() > min) {
            self.at += 1;
            let right = self.expression(op.precedence())?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn operand(&mut self) -> Result<Expr, FormulaError> {
        self.skip_space();
        let start = self.at;
        match self.peek() {
            None => Err(self.error("expected a KPI id, a number or '(' but the formula ends".into())),
            Some('-') => {
                self.at += 1;
                Ok(Expr::Neg(Box::new(self.operand()?)))
            }
            Some('(') => {
                self.at += 1;
                let inner = self.expression(0)?;
                self.skip_space();
                match self.peek() {
                    Some(')') => {
                        self.at += 1;
                        Ok(inner)
                    }
                    Some(c) => Err(self.error(format!("expected ')' but found '{c}'"))),
                    None => Err(self.error("expected ')' but the formula ends".into())),
                }
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let text = self.take(|c| c.is_ascii_digit() || c == '.');
                let number: f64 = text
                    .parse()
                    .map_err(|_| FormulaError { column: start + 1, reason: format!("'{text}' is not a number") })?;
                Ok(Expr::Number(number))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                Ok(Expr::Kpi(self.take(|c| c.is_ascii_alphanumeric() || c == '_')))
            }
            Some(c) => Err(self.error(format!("expected a KPI id, a number or '(' but found '{c}'"))),
        }
    }

    fn take(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.at;
        while self.peek().is_some_and(&keep) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }
}

/// A formula is written and stored as its text.
impl serde::Serialize for Expr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Expr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Expr, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(|e| serde::de::Error::custom(format!("formula '{text}': {e}")))
    }
}

impl fmt::Display for Expr {
    /// The formula with the parentheses it needs, so that it parses back to itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Kpi(id) => f.write_str(id),
            Expr::Neg(inner) => match **inner {
                Expr::Binary(..) => write!(f, "-({inner})"),
                _ => write!(f, "-{inner}"),
            },
            Expr::Binary(op, a, b) => {
                let wrap = |e: &Expr, tighter: bool| match e {
                    Expr::Binary(inner, ..) if inner.precedence() < op.precedence() || tighter => {
                        format!("({e})")
                    }
                    _ => e.to_string(),
                };
                // Operators group from the left, so a right operand of equal
                // precedence keeps its parentheses: a - (b - c), a * (b * c).
                let right_tighter =
                    matches!(b.as_ref(), Expr::Binary(inner, ..) if inner.precedence() == op.precedence());
                write!(f, "{} {} {}", wrap(a, false), op.symbol(), wrap(b, right_tighter))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Expr {
        text.parse().unwrap()
    }

    #[test]
    fn operators_bind_as_in_arithmetic() {
        let values = |id: &str| match id {
            "a" => Some(12.0),
            "b" => Some(4.0),
            "c" => Some(2.0),
            _ => None,
        };
        // 12 - 4 - 2 = 6 (left to right); 12 / 4 / 2 = 1.5; 12 - 4 * 2 = 4; (12 - 4) * 2 = 16.
        assert_eq!(parse("a - b - c").evaluate(values), Some(6.0));
        assert_eq!(parse("a / b / c").evaluate(values), Some(1.5));
        assert_eq!(parse("a - b * c").evaluate(values), Some(4.0));
        assert_eq!(parse("(a - b) * c").evaluate(values), Some(16.0));
        assert_eq!(parse("-a + 0.5 * b").evaluate(values), Some(-10.0));
        assert_eq!(parse("a / (b - 2 * c)").evaluate(values), None, "12 / 0 has no value");
        assert_eq!(parse("a + unknown").evaluate(values), None);
        assert_eq!(parse("b*c+a/b").references(), ["b", "c", "a"]);
    }

    #[test]
    fn bad_formulas_say_where() {
        let error = |text: &str| text.parse::<Expr>().unwrap_err().to_string();
        assert_eq!(error(""), "column 1: expected a KPI id, a number or '(' but the formula ends");
        assert_eq!(error("revenue /"), "column 10: expected a KPI id, a number or '(' but the formula ends");
        assert_eq!(error("revenue activities"), "column 9: unexpected 'a'");
        assert_eq!(error("revenue ^ 2"), "column 9: unexpected '^'");
        assert_eq!(error("(revenue - cost"), "column 16: expected ')' but the formula ends");
        assert_eq!(error("1.2.3 * revenue"), "column 1: '1.2.3' is not a number");
        assert_eq!(error("销售额 / 2"), "column 1: expected a KPI id, a number or '(' but found '销'");
    }

    proptest::proptest! {
        /// Printing a formula and parsing it back gives the same formula.
        #[test]
        fn formulas_print_as_they_parse(
            ops in proptest::collection::vec(0usize..4, 1..6),
            groups in proptest::collection::vec(proptest::bool::ANY, 6),
        ) {
            let symbols = ["+", "-", "*", "/"];
            let mut text = String::from("k0");
            for (i, op) in ops.iter().enumerate() {
                text = if groups[i] { format!("({text}) {} k{}", symbols[*op], i + 1) } else { format!("k{} {} {text}", i + 1, symbols[*op]) };
            }
            let expr = parse(&text);
            proptest::prop_assert_eq!(parse(&expr.to_string()), expr);
        }
    }
}
