//! Small SVG drawing helpers shared by the figure sets. Text and axes use `currentColor`, so an
//! SVG included inline (`{{#include ../figures/x.svg}}`) takes the theme's text colour; fills are
//! mid-tone colours that read on light and dark backgrounds. No blank lines in the output:
//! inside Markdown, a blank line would end the HTML block.

/// Series colours (Tableau 10, mid-tones: legible on white and on mdBook's dark themes).
pub const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac",
];

/// Escapes text for SVG content and attributes.
pub fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The opening tag with title and description (the alt text), sized to scale down in the
/// text column.
pub fn open(id: &str, width: f64, height: f64, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         style=\"max-width: 100%; height: auto; color: inherit\" font-family=\"sans-serif\" \
         font-size=\"12\" fill=\"currentColor\">\n<title id=\"{id}-title\">{}</title>\n\
         <desc id=\"{id}-desc\">{}</desc>\n",
        text(title),
        text(desc)
    )
}

/// One bar of a [`BarChart`].
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Printed after the bar, e.g. "1.23 s".
    pub value_label: String,
}

/// Horizontal bars in labelled groups, one scale for all.
pub struct BarChart {
    pub id: String,
    pub title: String,
    /// The alt text: what the figure shows, in words.
    pub desc: String,
    /// The axis caption, e.g. "wall time (s), shorter is better".
    pub axis: String,
    pub groups: Vec<(String, Vec<Bar>)>,
}

pub fn bar_chart(chart: &BarChart) -> String {
    const WIDTH: f64 = 680.0;
    const LABEL: f64 = 150.0;
    const VALUE_ROOM: f64 = 90.0;
    const BAR: f64 = 16.0;
    const GAP: f64 = 4.0;
    const GROUP_HEAD: f64 = 22.0;
    let max = chart
        .groups
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|b| b.value))
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let scale = (WIDTH - LABEL - VALUE_ROOM) / max;
    let mut body = String::new();
    let mut y = 10.0;
    for (group, bars) in &chart.groups {
        if !group.is_empty() {
            y += GROUP_HEAD;
            body.push_str(&format!(
                "<text x=\"0\" y=\"{}\" font-weight=\"bold\">{}</text>\n",
                y - 6.0,
                text(group)
            ));
        }
        for (i, bar) in bars.iter().enumerate() {
            let w = (bar.value * scale).max(1.0);
            let colour = PALETTE[i % PALETTE.len()];
            body.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n\
                 <rect x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{BAR}\" fill=\"{colour}\"/>\n\
                 <text x=\"{:.1}\" y=\"{}\">{}</text>\n",
                LABEL - 6.0,
                y + BAR - 4.0,
                text(&bar.label),
                LABEL + w + 5.0,
                y + BAR - 4.0,
                text(&bar.value_label)
            ));
            y += BAR + GAP;
        }
    }
    y += 8.0;
    body.push_str(&format!(
        "<line x1=\"{LABEL}\" y1=\"10\" x2=\"{LABEL}\" y2=\"{y}\" stroke=\"currentColor\"/>\n\
         <text x=\"{LABEL}\" y=\"{}\" opacity=\"0.8\">{}</text>\n",
        y + 16.0,
        text(&chart.axis)
    ));
    let height = y + 24.0;
    format!(
        "{}{body}</svg>\n",
        open(&chart.id, WIDTH, height, &chart.title, &chart.desc)
    )
}

/// One line of a [`LineChart`]: points `(x, y)`, x increasing.
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// Lines over logarithmic axes (both base 10 in position), with vertical markers (e.g. the
/// sizes of the caches) and labelled ticks.
pub struct LineChart {
    pub id: String,
    pub title: String,
    /// The alt text: what the figure shows, in words.
    pub desc: String,
    pub x_axis: String,
    pub y_axis: String,
    /// Tick positions and their labels.
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
    /// A dashed vertical line at each x, with its label.
    pub markers: Vec<(f64, String)>,
    pub series: Vec<Series>,
}

pub fn line_chart(chart: &LineChart) -> String {
    const WIDTH: f64 = 680.0;
    const LEFT: f64 = 60.0;
    const RIGHT: f64 = 40.0;
    const BOTTOM: f64 = 50.0;
    // The legend sits above the plot, one line per series.
    let top = 24.0 + 18.0 * chart.series.len() as f64;
    let height = top + 290.0 + BOTTOM;
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(chart.x_ticks.iter().map(|t| t.0));
    let ys = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(chart.y_ticks.iter().map(|t| t.0));
    let range = |values: &mut dyn Iterator<Item = f64>| {
        values
            .filter(|v| *v > 0.0)
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let (x0, x1) = range(&mut { xs });
    let (y0, y1) = range(&mut { ys });
    let (x0, x1, y0, y1) = (
        x0.log10(),
        x1.log10().max(x0.log10() + 1e-9),
        y0.log10(),
        y1.log10().max(y0.log10() + 1e-9),
    );
    let px = |x: f64| LEFT + (x.log10() - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    let py =
        |y: f64| height - BOTTOM - (y.log10() - y0) / (y1 - y0) * (height - top - BOTTOM);
    let mut body = String::new();
    body.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{top}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"currentColor\"/>\n\
         <line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"currentColor\"/>\n",
        b = height - BOTTOM,
        r = WIDTH - RIGHT
    ));
    for (x, label) in &chart.x_ticks {
        body.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            px(*x),
            height - BOTTOM + 16.0,
            text(label)
        ));
    }
    for (y, label) in &chart.y_ticks {
        body.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{r}\" y2=\"{y:.1}\" stroke=\"currentColor\" opacity=\"0.15\"/>\n\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            LEFT - 6.0,
            py(*y) + 4.0,
            text(label),
            y = py(*y),
            r = WIDTH - RIGHT
        ));
    }
    for (x, label) in &chart.markers {
        let x = px(*x);
        body.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"currentColor\" stroke-dasharray=\"4 3\" opacity=\"0.6\"/>\n\
             <text x=\"{:.1}\" y=\"{}\" opacity=\"0.8\">{}</text>\n",
            height - BOTTOM,
            x + 3.0,
            top + 14.0,
            text(label),
        ));
    }
    for (i, series) in chart.series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let points: Vec<String> = series
            .points
            .iter()
            .filter(|p| p.0 > 0.0 && p.1 > 0.0)
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        body.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n",
            points.join(" ")
        ));
        for p in &points {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            body.push_str(&format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>\n"
            ));
        }
        let ly = 16.0 + 18.0 * i as f64;
        body.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{colour}\"/>\n\
             <text x=\"{}\" y=\"{}\">{}</text>\n",
            LEFT + 12.0,
            ly - 4.0,
            LEFT + 32.0,
            ly + 1.0,
            text(&series.label)
        ));
    }
    body.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" opacity=\"0.8\">{}</text>\n\
         <text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" opacity=\"0.8\" transform=\"rotate(-90 14 {:.1})\">{}</text>\n",
        (LEFT + WIDTH - RIGHT) / 2.0,
        height - 12.0,
        text(&chart.x_axis),
        (top + height - BOTTOM) / 2.0,
        (top + height - BOTTOM) / 2.0,
        text(&chart.y_axis)
    ));
    format!(
        "{}{body}</svg>\n",
        open(&chart.id, WIDTH, height, &chart.title, &chart.desc)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_chart_has_alt_text_no_blank_lines_and_escapes() {
        let svg = bar_chart(&BarChart {
            id: "t".into(),
            title: "A < B".into(),
            desc: "two bars".into(),
            axis: "time (s)".into(),
            groups: vec![(
                "g".into(),
                vec![
                    Bar {
                        label: "a".into(),
                        value: 1.0,
                        value_label: "1 s".into(),
                    },
                    Bar {
                        label: "b & c".into(),
                        value: 2.0,
                        value_label: "2 s".into(),
                    },
                ],
            )],
        });
        assert!(svg.contains("<title id=\"t-title\">A &lt; B</title>"));
        assert!(svg.contains("b &amp; c"));
        assert!(!svg.contains("\n\n"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn line_chart_places_points_on_log_axes() {
        let svg = line_chart(&LineChart {
            id: "l".into(),
            title: "latency".into(),
            desc: "two lines".into(),
            x_axis: "working set".into(),
            y_axis: "ns".into(),
            x_ticks: vec![(1.0, "1".into()), (100.0, "100".into())],
            y_ticks: vec![(1.0, "1 ns".into()), (10.0, "10 ns".into())],
            markers: vec![(10.0, "L1".into())],
            series: vec![Series {
                label: "random".into(),
                points: vec![(1.0, 1.0), (10.0, 3.0), (100.0, 10.0)],
            }],
        });
        assert!(!svg.contains("\n\n"));
        assert_eq!(svg.matches("<circle").count(), 3);
        // x = 10 is half way along a log axis from 1 to 100: (60 + 640) / 2.
        assert!(svg.contains("x1=\"350.0\""), "{svg}");
        assert!(
            svg.contains("<text x=\"353.0\""),
            "the marker's label is beside its line"
        );
    }
}
