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
}
