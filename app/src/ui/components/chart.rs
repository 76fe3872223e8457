//! Server-rendered SVG line charts: readable without JavaScript.

use super::panels::{CARD, MUTED};
use crate::domain::chart::{line_chart, MARGIN_LEFT};
use crate::domain::format::{bytes, number};
use crate::domain::inventory::Series;
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Count,
    Bytes,
    /// A duration given in seconds, shown in milliseconds below one second.
    Seconds,
}

impl Unit {
    fn label(self, v: f64) -> String {
        match self {
            Unit::Percent => format!("{}%", number(v)),
            Unit::Count => number(v),
            Unit::Bytes => bytes(v),
            Unit::Seconds if v.abs() < 1.0 => format!("{} ms", number(v * 1000.0)),
            Unit::Seconds => format!("{} s", number(v)),
        }
    }
}

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 120.0;

#[component]
pub fn LineChart(#[prop(into)] title: String, series: Option<Series>, unit: Unit) -> impl IntoView {
    let fixed_max = (unit == Unit::Percent).then_some(100.0);
    let geometry = series
        .as_ref()
        .and_then(|s| line_chart(s, WIDTH, HEIGHT, fixed_max, |v| unit.label(v)));
    let latest = geometry.as_ref().map(|g| unit.label(g.latest));
    let body = match geometry {
        None => view! {
            <div class=format!("flex h-[120px] items-center justify-center text-xs {MUTED}")>"No data points in the last hours"</div>
        }
        .into_any(),
        Some(g) => {
            let grid = g
                .y_ticks
                .iter()
                .map(|(y, label)| {
                    view! {
                        <line x1=MARGIN_LEFT x2=g.width y1=*y y2=*y class="stroke-slate-200 dark:stroke-slate-800" stroke-width="1"/>
                        <text x=MARGIN_LEFT - 4.0 y=*y + 3.0 text-anchor="end" class="fill-slate-500 text-[9px] dark:fill-slate-400">{label.clone()}</text>
                    }
                })
                .collect_view();
            let last = g.x_ticks.len().saturating_sub(1);
            let x_labels = g
                .x_ticks
                .iter()
                .enumerate()
                .map(|(i, (x, label))| {
                    let anchor = if i == 0 { "start" } else if i == last { "end" } else { "middle" };
                    view! {
                        <text x=*x y=g.height - 4.0 text-anchor=anchor class="fill-slate-500 text-[9px] dark:fill-slate-400">{label.clone()}</text>
                    }
                })
                .collect_view();
            view! {
                <svg viewBox=format!("0 0 {} {}", g.width, g.height) class="h-auto w-full" role="img" aria-label=title.clone()>
                    {grid}
                    <path d=g.area.clone() class="fill-sky-500/10 dark:fill-sky-400/10"/>
                    <path d=g.line.clone() fill="none" class="stroke-sky-600 dark:stroke-sky-400" stroke-width="1.5" stroke-linejoin="round"/>
                    {x_labels}
                </svg>
            }
            .into_any()
        }
    };
    view! {
        <figure class=format!("{CARD} p-3")>
            <figcaption class="mb-1 flex items-baseline justify-between text-xs">
                <span class="font-medium">{title.clone()}</span>
                <span class=MUTED>{latest.map(|l| format!("now {l}")).unwrap_or_default()}</span>
            </figcaption>
            {body}
        </figure>
    }
}
