//! The formula company of the forecast and alert tests: rep R1 sells
//! (1000 + 100·t)·s(m) in month t (t = 0 in January 2024), where s(December)
//! = 2 and s = 1 in the other months; R2 sells twice that.

pub fn season(month0: u32) -> f64 {
    if month0 == 11 { 2.0 } else { 1.0 }
}

/// R1's revenue in month `t`.
pub fn r1(t: u32) -> f64 {
    (1000.0 + 100.0 * f64::from(t)) * season(t % 12)
}
