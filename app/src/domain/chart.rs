//! Geometry for the server-rendered SVG line charts: scales a series into a view box and picks
//! readable axis ticks. Pure arithmetic; the UI turns it into `<path>` and `<text>` elements.

use super::inventory::Series;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartGeometry {
    pub width: f64,
    pub height: f64,
    /// SVG path data of the line.
    pub line: String,
    /// SVG path data of the area under the line.
    pub area: String,
    pub y_ticks: Vec<(f64, String)>,
    pub x_ticks: Vec<(f64, String)>,
    pub min_value: f64,
    pub max_value: f64,
    pub latest: f64,
}

/// Left margin reserved for y labels, bottom margin for x labels.
pub const MARGIN_LEFT: f64 = 44.0;
pub const MARGIN_BOTTOM: f64 = 18.0;
pub const MARGIN_TOP: f64 = 6.0;

/// Lays out `series` in a `width` × `height` box. `fixed_max` pins the top of the scale (100 for
/// percentages). Returns `None` when there are no points.
pub fn line_chart(
    series: &Series,
    width: f64,
    height: f64,
    fixed_max: Option<f64>,
    label: impl Fn(f64) -> String,
) -> Option<ChartGeometry> {
    let mut points: Vec<(DateTime<Utc>, f64)> = series
        .points
        .iter()
        .copied()
        .filter(|(_, v)| v.is_finite())
        .collect();
    if points.is_empty() {
        return None;
    }
    points.sort_by_key(|(t, _)| *t);
    let t0 = points[0].0;
    let t1 = points[points.len() - 1].0;
    let span = ((t1 - t0).num_seconds() as f64).max(1.0);
    let data_max = points.iter().map(|(_, v)| *v).fold(f64::MIN, f64::max);
    let data_min = points.iter().map(|(_, v)| *v).fold(f64::MAX, f64::min);
    let top = match fixed_max {
        Some(max) => max.max(data_max),
        None => nice_ceiling(data_max.max(0.0)),
    };
    let bottom = 0.0_f64.min(data_min);
    let range = (top - bottom).max(f64::EPSILON);
    let plot_w = width - MARGIN_LEFT;
    let plot_h = height - MARGIN_BOTTOM - MARGIN_TOP;
    let x = |t: DateTime<Utc>| MARGIN_LEFT + ((t - t0).num_seconds() as f64 / span) * plot_w;
    let y = |v: f64| MARGIN_TOP + plot_h - ((v - bottom) / range) * plot_h;

    let mut line = String::new();
    for (i, (t, v)) in points.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        line.push_str(&format!("{cmd}{:.1},{:.1} ", x(*t), y(*v)));
    }
    let line = line.trim_end().to_string();
    let base = y(bottom);
    let area = format!("{line} L{:.1},{base:.1} L{:.1},{base:.1} Z", x(t1), x(t0));
    let y_ticks = (0..=2)
        .map(|i| {
            let v = bottom + range * f64::from(i) / 2.0;
            (y(v), label(v))
        })
        .collect();
    let x_ticks = (0..=3)
        .map(|i| {
            let secs = (span * f64::from(i) / 3.0) as i64;
            let t = t0 + chrono::Duration::seconds(secs);
            (x(t), t.format("%H:%M").to_string())
        })
        .collect();
    Some(ChartGeometry {
        width,
        height,
        line,
        area,
        y_ticks,
        x_ticks,
        min_value: data_min,
        max_value: data_max,
        latest: points[points.len() - 1].1,
    })
}

/// The next "round" number at or above `value`: 1, 2, 2.5, 5 × 10ⁿ.
pub fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let exp = value.log10().floor();
    let base = 10f64.powf(exp);
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if value <= step * base + f64::EPSILON * base {
            return step * base;
        }
    }
    10.0 * base
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn nice_ceilings() {
        let cases = [
            (0.0, 1.0),
            (0.7, 1.0),
            (3.0, 5.0),
            (42.0, 50.0),
            (230.0, 250.0),
            (1000.0, 1000.0),
        ];
        for (input, expected) in cases {
            assert!((nice_ceiling(input) - expected).abs() < 1e-9, "{input}");
        }
    }

    #[test]
    fn empty_series_has_no_chart() {
        assert!(line_chart(&Series::default(), 300.0, 100.0, None, |v| v.to_string()).is_none());
    }

    #[test]
    fn points_are_scaled_into_the_box() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let series = Series {
            points: vec![
                (t0 + Duration::minutes(60), 100.0),
                (t0, 0.0),
                (t0 + Duration::minutes(30), 50.0),
            ],
        };
        let g = line_chart(&series, 344.0, 124.0, Some(100.0), |v| format!("{v:.0}%")).unwrap();
        // First point bottom-left of the plot, last point top-right.
        assert!(g.line.starts_with("M44.0,106.0"), "{}", g.line);
        assert!(g.line.ends_with("L344.0,6.0"), "{}", g.line);
        assert_eq!(
            g.y_ticks
                .iter()
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>(),
            ["0%", "50%", "100%"]
        );
        assert_eq!(g.x_ticks.first().map(|(_, l)| l.as_str()), Some("10:00"));
        assert_eq!(g.x_ticks.last().map(|(_, l)| l.as_str()), Some("11:00"));
        assert_eq!(g.latest, 100.0);
    }
}
