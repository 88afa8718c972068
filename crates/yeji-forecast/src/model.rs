//! The forecasting model, pure over monthly values: a seasonal index per
//! calendar month learnt from a long, smooth series (the company's), and per
//! entity a linear trend fitted by least squares to its deseasonalised months.
//! A rep's own months are too few and too noisy to learn twelve month effects
//! from (18–30 points); the company's seasonality, shared, is what the
//! backtest shows beats the rep's own last year (seasonal-naive).

/// The two-sided 80 % interval of a normal error: ±1.2816 σ.
const Z80: f64 = 1.281_551_565_545;

/// Months an entity needs before it is forecast at all.
pub const MIN_MONTHS: usize = 3;

/// Multiplicative month effects (January first), averaging 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Seasonality([f64; 12]);

impl Seasonality {
    pub fn flat() -> Seasonality {
        Seasonality([1.0; 12])
    }

    /// Learnt from `values`, the months from calendar month `first_month0`
    /// (0 = January): the ratio of each month to a linear trend, averaged per
    /// calendar month, refitted on the deseasonalised values. Flat with
    /// less than a year of positive values.
    pub fn learn(values: &[f64], first_month0: usize) -> Seasonality {
        if values.len() < 12 || values.iter().any(|v| *v <= 0.0) {
            return Seasonality::flat();
        }
        let mut index = Seasonality::flat();
        // Alternately the trend of the deseasonalised values and the ratios
        // to it, until the index settles (a spike at one end tilts the first
        // trend; each round takes more of it out).
        for _ in 0..100 {
            let before = index.clone();
            let adjusted: Vec<f64> = values.iter().enumerate().map(|(t, v)| v / index.of(first_month0 + t)).collect();
            let Some(trend) = Line::fit(&adjusted) else { return Seasonality::flat() };
            let mut sums = [(0.0, 0u32); 12];
            for (t, v) in values.iter().enumerate() {
                let level = trend.at(t as f64);
                if level > 0.0 {
                    let cell = &mut sums[(first_month0 + t) % 12];
                    *cell = (cell.0 + v / level, cell.1 + 1);
                }
            }
            let ratios: Vec<f64> = sums.iter().map(|(sum, n)| if *n > 0 { sum / f64::from(*n) } else { 1.0 }).collect();
            let mean = ratios.iter().sum::<f64>() / 12.0;
            for (month, ratio) in ratios.iter().enumerate() {
                index.0[month] = ratio / mean;
            }
            if index.0.iter().zip(before.0).all(|(a, b)| (a - b).abs() < 1e-9) {
                break;
            }
        }
        index
    }

    /// The effect of the month `month0` months after a January.
    pub fn of(&self, month0: usize) -> f64 {
        self.0[month0 % 12]
    }
}

/// A least-squares line `a + b·t` with what its prediction interval needs.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    a: f64,
    b: f64,
    n: f64,
    t_mean: f64,
    sxx: f64,
    /// The residuals' standard deviation (n − 2 degrees of freedom).
    sigma: f64,
}

impl Line {
    fn fit(values: &[f64]) -> Option<Line> {
        if values.len() < 2 {
            return None;
        }
        let n = values.len() as f64;
        let t_mean = (n - 1.0) / 2.0;
        let y_mean = values.iter().sum::<f64>() / n;
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for (t, y) in values.iter().enumerate() {
            let dt = t as f64 - t_mean;
            sxx += dt * dt;
            sxy += dt * (y - y_mean);
        }
        let b = sxy / sxx;
        let a = y_mean - b * t_mean;
        let sse: f64 = values.iter().enumerate().map(|(t, y)| (y - a - b * t as f64).powi(2)).sum();
        let sigma = if values.len() > 2 { (sse / (n - 2.0)).sqrt() } else { 0.0 };
        Some(Line { a, b, n, t_mean, sxx, sigma })
    }

    fn at(&self, t: f64) -> f64 {
        self.a + self.b * t
    }

    /// The standard error of a new value at `t`.
    fn spread(&self, t: f64) -> f64 {
        self.sigma * (1.0 + 1.0 / self.n + (t - self.t_mean).powi(2) / self.sxx).sqrt()
    }
}

/// A forecast month: the value and its 80 % interval (never below zero).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One entity's fitted model.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    line: Line,
    seasonality: Seasonality,
    /// Calendar month (0 = January) of the first fitted value.
    first_month0: usize,
}

impl Fit {
    /// Fits `values` (monthly, the first of calendar month `first_month0`);
    /// `None` with fewer than [`MIN_MONTHS`].
    pub fn new(values: &[f64], first_month0: usize, seasonality: &Seasonality) -> Option<Fit> {
        if values.len() < MIN_MONTHS {
            return None;
        }
        let adjusted: Vec<f64> = values.iter().enumerate().map(|(t, v)| v / seasonality.of(first_month0 + t)).collect();
        let line = Line::fit(&adjusted)?;
        Some(Fit { line, seasonality: seasonality.clone(), first_month0 })
    }

    /// The forecast `ahead` months after the last fitted one (1 = the next month).
    pub fn point(&self, ahead: usize) -> Point {
        let t = self.line.n - 1.0 + ahead as f64;
        let season = self.seasonality.of(self.first_month0 + t as usize);
        let value = self.line.at(t) * season;
        let spread = Z80 * self.line.spread(t) * season;
        Point { value: value.max(0.0), lower: (value - spread).max(0.0), upper: (value + spread).max(0.0) }
    }
}

/// The seasonal-naive forecast of `values[at]`: the same month a year before.
pub fn seasonal_naive(values: &[f64], at: usize) -> Option<f64> {
    values.get(at.checked_sub(12)?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_recovered_exactly() {
        // 10 + 2t: the fit is exact, its spread zero, and the next value 10 + 2·6.
        let values: Vec<f64> = (0..6).map(|t| 10.0 + 2.0 * f64::from(t)).collect();
        let fit = Fit::new(&values, 0, &Seasonality::flat()).unwrap();
        let next = fit.point(1);
        assert!((next.value - 22.0).abs() < 1e-9);
        assert!((next.upper - next.lower).abs() < 1e-9);
    }

    #[test]
    fn seasonality_is_learnt_from_a_seasonal_series_and_averages_one() {
        // Two years of a flat 100 with December twice the other months.
        let shape = |m: usize| if m % 12 == 11 { 2.0 } else { 1.0 };
        let values: Vec<f64> = (0..24).map(|t| 100.0 * shape(t)).collect();
        let index = Seasonality::learn(&values, 0);
        let mean = (0..12).map(|m| index.of(m)).sum::<f64>() / 12.0;
        assert!((mean - 1.0).abs() < 1e-9);
        // December / any other month = 2.
        assert!((index.of(11) / index.of(3) - 2.0).abs() < 1e-6, "{index:?}");
        // A deseasonalised fit then forecasts the next December at twice the next January.
        let fit = Fit::new(&values, 0, &index).unwrap();
        assert!((fit.point(12).value / fit.point(1).value - 2.0).abs() < 1e-6);
    }

    #[test]
    fn noise_widens_the_interval_and_the_value_stays_inside() {
        let values = [100.0, 120.0, 90.0, 110.0, 95.0, 115.0];
        let fit = Fit::new(&values, 0, &Seasonality::flat()).unwrap();
        let p = fit.point(1);
        assert!(p.lower < p.value && p.value < p.upper);
        // Further ahead, wider.
        let q = fit.point(6);
        assert!(q.upper - q.lower > p.upper - p.lower);
    }

    #[test]
    fn too_short_a_history_has_no_fit_and_seasonal_naive_needs_a_year() {
        assert!(Fit::new(&[1.0, 2.0], 0, &Seasonality::flat()).is_none());
        let values: Vec<f64> = (0..13).map(f64::from).collect();
        assert_eq!(seasonal_naive(&values, 12), Some(0.0));
        assert_eq!(seasonal_naive(&values, 11), None);
    }
}
