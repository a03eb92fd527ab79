//! Chart geometry shared by the SVG and the PDF: where each point goes, which y ticks to
//! draw, and the figures in words.
//!
//! Positions are fractions of the plot area (x from the left, y from the bottom, both in
//! 0..=1), so each renderer only scales them. Points are placed by calendar day when every
//! date is a valid `YYYY-MM-DD` and the dates strictly increase; otherwise they are spaced
//! evenly in order. The y range always starts at 0 and ends at a round number of at least 1,
//! so an empty or all-zero series never divides by zero.

use crate::model::{SeriesPoint, group_thousands, plural};

/// Where the points and ticks of one series go.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Geometry {
    /// One `(x, y)` per point, both in 0..=1.
    pub(crate) points: Vec<(f64, f64)>,
    /// Y tick values, from 0 up to `top`.
    pub(crate) ticks: Vec<u64>,
    /// The value at the top of the y axis.
    pub(crate) top: u64,
    /// Index of the first highest point, if any.
    pub(crate) max_index: Option<usize>,
}

impl Geometry {
    pub(crate) fn new(series: &[SeriesPoint]) -> Self {
        let max = series.iter().map(|p| p.open).max().unwrap_or(0);
        let (ticks, top) = y_ticks(max);
        let xs = x_positions(series);
        // u64 to f64 rounds above 2^53; the chart only needs the proportion.
        let top_f = top as f64;
        let points = xs.into_iter().zip(series).map(|(x, p)| (x, (p.open as f64 / top_f).clamp(0.0, 1.0))).collect();
        let max_index = series.iter().position(|p| p.open == max);
        Geometry { points, ticks, top, max_index }
    }
}

/// Round y ticks for values up to `max`: a step of 1, 2 or 5 times a power of ten giving at
/// most five intervals, and the first multiple of the step at or above `max` (at least 1).
pub(crate) fn y_ticks(max: u64) -> (Vec<u64>, u64) {
    let step = tick_step(max);
    let top = max.div_ceil(step).saturating_mul(step).max(1);
    let mut ticks = Vec::new();
    let mut tick: u64 = 0;
    loop {
        ticks.push(tick);
        match tick.checked_add(step) {
            Some(next) if next <= top => tick = next,
            _ => break,
        }
    }
    (ticks, top)
}

/// The smallest step of 1, 2 or 5 times a power of ten that covers `max` in five intervals.
fn tick_step(max: u64) -> u64 {
    const INTERVALS: u64 = 5;
    let mut magnitude: u64 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = magnitude.saturating_mul(m);
            if step.saturating_mul(INTERVALS) >= max {
                return step;
            }
        }
        match magnitude.checked_mul(10) {
            Some(next) => magnitude = next,
            None => return magnitude,
        }
    }
}

/// X positions in 0..=1: by calendar day when the dates allow it, else evenly spaced.
pub(crate) fn x_positions(series: &[SeriesPoint]) -> Vec<f64> {
    match series.len() {
        0 => return Vec::new(),
        1 => return vec![0.5],
        _ => {}
    }
    let days: Option<Vec<i64>> = series.iter().map(|p| day_number(&p.date)).collect();
    if let Some(days) = days
        && days.is_sorted_by(|a, b| a < b)
        && let (Some(first), Some(last)) = (days.first(), days.last())
    {
        let span = (last - first) as f64;
        return days.iter().map(|d| (d - first) as f64 / span).collect();
    }
    let last = (series.len() - 1) as f64;
    (0..series.len()).map(|i| i as f64 / last).collect()
}

/// Days since 1970-01-01 for a `YYYY-MM-DD` date, or `None` if it is not one.
///
/// Howard Hinnant's `days_from_civil`; day 29 to 31 are accepted in every month, which
/// keeps the order of real dates and needs no calendar table.
pub(crate) fn day_number(date: &str) -> Option<i64> {
    let bytes = date.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = date.get(range)?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, m, d) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Index of the point nearest the middle of the x axis, if a middle label has room: at least
/// three points and the nearest one well away from both ends.
pub(crate) fn middle_index(points: &[(f64, f64)]) -> Option<usize> {
    if points.len() < 3 {
        return None;
    }
    let (index, x) = points
        .iter()
        .enumerate()
        .map(|(i, (x, _))| (i, *x))
        .min_by(|a, b| (a.1 - 0.5).abs().total_cmp(&(b.1 - 0.5).abs()))?;
    (0.3..=0.7).contains(&x).then_some(index)
}

/// The series in words, for people who cannot see the chart.
pub(crate) fn describe(series: &[SeriesPoint]) -> String {
    let (Some(first), Some(last)) = (series.first(), series.last()) else {
        return "No history of open findings yet.".to_owned();
    };
    if series.len() == 1 {
        return format!("{} on {}.", plural(first.open, "open finding", "open findings"), first.date);
    }
    let mut max = first;
    let mut min = first;
    for point in series {
        if point.open > max.open {
            max = point;
        }
        if point.open < min.open {
            min = point;
        }
    }
    if max.open == min.open {
        return format!(
            "Open findings from {} to {}: steady at {}.",
            first.date,
            last.date,
            group_thousands(first.open)
        );
    }
    format!(
        "Open findings from {} to {}: {} at the start and {} at the end; \
         the highest was {} on {} and the lowest {} on {}.",
        first.date,
        last.date,
        group_thousands(first.open),
        group_thousands(last.open),
        group_thousands(max.open),
        max.date,
        group_thousands(min.open),
        min.date,
    )
}

/// A label cut to at most `max_chars` characters, ending with "…" when cut.
pub(crate) fn short_label(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        return label.to_owned();
    }
    let mut out: String = label.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('\u{2026}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates and open counts.
    type Points<'a> = &'a [(&'a str, u64)];

    fn series(points: &[(&str, u64)]) -> Vec<SeriesPoint> {
        points.iter().map(|(date, open)| SeriesPoint { date: (*date).to_owned(), open: *open }).collect()
    }

    #[test]
    fn ticks() {
        let cases: &[(u64, &[u64], u64)] = &[
            (0, &[0, 1], 1),
            (1, &[0, 1], 1),
            (3, &[0, 1, 2, 3], 3),
            (5, &[0, 1, 2, 3, 4, 5], 5),
            (7, &[0, 2, 4, 6, 8], 8),
            (12, &[0, 5, 10, 15], 15),
            (19, &[0, 5, 10, 15, 20], 20),
            (100, &[0, 20, 40, 60, 80, 100], 100),
            (101, &[0, 50, 100, 150], 150),
            (4_321, &[0, 1_000, 2_000, 3_000, 4_000, 5_000], 5_000),
        ];
        for (max, want_ticks, want_top) in cases {
            let (ticks, top) = y_ticks(*max);
            assert_eq!((ticks.as_slice(), top), (*want_ticks, *want_top), "{max}");
        }
    }

    #[test]
    fn ticks_at_the_limit() {
        let (ticks, top) = y_ticks(u64::MAX);
        assert!(ticks.len() >= 2 && ticks.len() <= 7, "{ticks:?}");
        assert_eq!(ticks.first(), Some(&0));
        assert!(ticks.windows(2).all(|w| w[0] < w[1]));
        assert!(top > 0);
    }

    #[test]
    fn days() {
        let cases = [
            ("1970-01-01", Some(0)),
            ("1970-01-02", Some(1)),
            ("2000-03-01", Some(11_017)),
            ("2026-12-01", Some(20_788)),
            ("1969-12-31", Some(-1)),
            ("2026-13-01", None),
            ("2026-00-10", None),
            ("2026-1-01", None),
            ("2026/12/01", None),
            ("+026-12-01", None),
            ("", None),
            ("2026-12-0\u{e9}", None),
        ];
        for (date, want) in cases {
            assert_eq!(day_number(date), want, "{date}");
        }
    }

    #[test]
    fn positions() {
        let cases: &[(Points, &[f64])] = &[
            (&[], &[]),
            (&[("2026-01-01", 3)], &[0.5]),
            (&[("2026-01-01", 3), ("2026-01-02", 4)], &[0.0, 1.0]),
            // Calendar spacing: a gap of three days, then one.
            (&[("2026-01-01", 1), ("2026-01-04", 1), ("2026-01-05", 1)], &[0.0, 0.75, 1.0]),
            // Unparseable or out of order: evenly spaced.
            (&[("day one", 1), ("2026-01-04", 1), ("2026-01-05", 1)], &[0.0, 0.5, 1.0]),
            (&[("2026-01-05", 1), ("2026-01-04", 1), ("2026-01-04", 1)], &[0.0, 0.5, 1.0]),
        ];
        for (points, want) in cases {
            assert_eq!(x_positions(&series(points)), *want, "{points:?}");
        }
    }

    #[test]
    fn geometry_never_divides_by_zero() {
        for points in [
            &[][..],
            &[("2026-01-01", 0)][..],
            &[("2026-01-01", 0), ("2026-01-02", 0)][..],
            &[("2026-01-01", u64::MAX), ("2026-01-02", 0)][..],
        ] {
            let g = Geometry::new(&series(points));
            for (x, y) in &g.points {
                assert!(x.is_finite() && y.is_finite(), "{points:?}");
                assert!((0.0..=1.0).contains(x) && (0.0..=1.0).contains(y), "{points:?}");
            }
            assert!(g.top >= 1);
        }
    }

    #[test]
    fn words() {
        let cases: &[(Points, &str)] = &[
            (&[], "No history of open findings yet."),
            (&[("2026-12-01", 1)], "1 open finding on 2026-12-01."),
            (&[("2026-12-01", 1200)], "1,200 open findings on 2026-12-01."),
            (&[("2026-11-01", 0), ("2026-12-01", 0)], "Open findings from 2026-11-01 to 2026-12-01: steady at 0."),
            (
                &[("2026-11-01", 14), ("2026-11-15", 19), ("2026-12-01", 12)],
                "Open findings from 2026-11-01 to 2026-12-01: 14 at the start and 12 at the end; \
                 the highest was 19 on 2026-11-15 and the lowest 12 on 2026-12-01.",
            ),
        ];
        for (points, want) in cases {
            assert_eq!(describe(&series(points)), *want);
        }
    }

    #[test]
    fn middles() {
        let even = |n: usize| -> Vec<(f64, f64)> { (0..n).map(|i| (i as f64 / (n - 1) as f64, 0.0)).collect() };
        assert_eq!(middle_index(&even(2)), None);
        assert_eq!(middle_index(&even(3)), Some(1));
        assert_eq!(middle_index(&even(5)), Some(2));
        assert_eq!(middle_index(&[(0.0, 0.0), (0.95, 0.0), (1.0, 0.0)]), None);
    }

    #[test]
    fn labels() {
        assert_eq!(short_label("2026-12-01", 12), "2026-12-01");
        assert_eq!(short_label("abcdefghij", 5), "abcd\u{2026}");
        assert_eq!(short_label("\u{1f525}\u{1f525}\u{1f525}", 2), "\u{1f525}\u{2026}");
    }
}
