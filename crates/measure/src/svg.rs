//! Hand-written SVG charts: grouped horizontal bars and heat maps. Plain
//! markup with inline attributes, so a report is readable without scripts,
//! fonts or network, in a browser or embedded in Markdown.

use std::fmt::Write;

/// Colour-blind-safe palette (Okabe–Ito), one colour per series.
pub const PALETTE: &[&str] = &[
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

const WIDTH: f64 = 760.0;
const FONT: &str =
    "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\"";

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Rough text width in pixels for a 12px sans-serif font.
fn text_px(s: &str) -> f64 {
    // Wide enough for DejaVu Sans, the usual fallback on Linux, which runs wider than Helvetica.
    s.chars()
        .map(|c| {
            if c.is_ascii_uppercase() || c == 'm' || c == 'w' || !c.is_ascii() {
                9.0
            } else if "il.,:;|'!() ".contains(c) {
                4.0
            } else {
                7.4
            }
        })
        .sum()
}

fn fit(s: &str, px: f64) -> String {
    if text_px(s) <= px {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_px(&out) + 14.0 > px {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Grouped horizontal bars: one group per label, one bar per series.
/// `values[s][i]` is series `s` at label `i`; `max` is the axis end.
pub fn hbars(
    title: &str,
    labels: &[String],
    series: &[(String, Vec<f64>)],
    max: f64,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let label_w = labels
        .iter()
        .map(|l| text_px(l))
        .fold(60.0, f64::max)
        .min(330.0)
        + 12.0;
    let value_w = 64.0;
    let plot_w = WIDTH - label_w - value_w - 16.0;
    let bar_h = 14.0;
    let gap = 3.0;
    let group_h = series.len() as f64 * (bar_h + gap) + 8.0;
    let legend_h = if series.len() > 1 { 22.0 } else { 0.0 };
    let top = 30.0 + legend_h;
    let height = top + labels.len() as f64 * group_h + 26.0;
    let max = if max > 0.0 { max } else { 1.0 };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}" {FONT} font-size="12">"#,
        t = esc(title)
    );
    let _ = write!(
        s,
        r##"<rect width="100%" height="100%" fill="#ffffff"/><text x="8" y="19" font-size="14" font-weight="600" fill="#222">{}</text>"##,
        esc(title)
    );
    if series.len() > 1 {
        let mut x = label_w;
        for (i, (name, _)) in series.iter().enumerate() {
            let _ = write!(
                s,
                r##"<rect x="{x}" y="30" width="12" height="12" fill="{}"/><text x="{}" y="40" fill="#333">{}</text>"##,
                PALETTE[i % PALETTE.len()],
                x + 16.0,
                esc(name)
            );
            x += text_px(name) + 40.0;
        }
    }
    // Grid at quarters of the axis.
    for q in 0..=4 {
        let x = label_w + plot_w * q as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#e3e3e3"/>"##,
            height - 22.0
        );
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" fill="#666" text-anchor="middle" font-size="10">{}</text>"##,
            height - 8.0,
            esc(&fmt(max * q as f64 / 4.0))
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let y0 = top + i as f64 * group_h + 4.0;
        let mid = y0 + (series.len() as f64 * (bar_h + gap)) / 2.0 + 2.0;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{mid:.1}" fill="#222" text-anchor="end">{}</text>"##,
            label_w - 8.0,
            esc(&fit(label, label_w - 12.0))
        );
        for (k, (name, vals)) in series.iter().enumerate() {
            let v = vals.get(i).copied().unwrap_or(0.0);
            let w = (v / max).clamp(0.0, 1.0) * plot_w;
            let y = y0 + k as f64 * (bar_h + gap);
            let _ = write!(
                s,
                r#"<rect x="{label_w:.1}" y="{y:.1}" width="{w:.1}" height="{bar_h}" fill="{}"><title>{}: {} {}</title></rect>"#,
                PALETTE[k % PALETTE.len()],
                esc(label),
                esc(name),
                esc(&fmt(v))
            );
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" fill="#333" font-size="11">{}</text>"##,
                label_w + w + 4.0,
                y + bar_h - 3.0,
                esc(&fmt(v))
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// A heat map: rows × columns of values in [0, max], blank where `None`.
pub fn heatmap(
    title: &str,
    rows: &[String],
    cols: &[String],
    values: &[Vec<Option<f64>>],
    max: f64,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let label_w = rows
        .iter()
        .map(|l| text_px(l))
        .fold(60.0, f64::max)
        .min(330.0)
        + 12.0;
    let cell_w = ((WIDTH - label_w - 10.0) / cols.len().max(1) as f64).min(110.0);
    let cell_h = 22.0;
    let head_h = 44.0;
    let top = 28.0 + head_h;
    let width = label_w + cell_w * cols.len() as f64 + 10.0;
    let height = top + rows.len() as f64 * cell_h + 10.0;
    let max = if max > 0.0 { max } else { 1.0 };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{t}" {FONT} font-size="12">"#,
        t = esc(title)
    );
    let _ = write!(
        s,
        r##"<rect width="100%" height="100%" fill="#ffffff"/><text x="8" y="19" font-size="14" font-weight="600" fill="#222">{}</text>"##,
        esc(title)
    );
    for (j, c) in cols.iter().enumerate() {
        let x = label_w + cell_w * (j as f64 + 0.5);
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" fill="#222" text-anchor="middle" font-size="11">{}</text>"##,
            top - 8.0,
            esc(&fit(c, cell_w - 4.0))
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * cell_h;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" fill="#222" text-anchor="end">{}</text>"##,
            label_w - 8.0,
            y + cell_h / 2.0 + 4.0,
            esc(&fit(r, label_w - 12.0))
        );
        for (j, v) in values
            .get(i)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let x = label_w + cell_w * j as f64;
            match v {
                Some(v) => {
                    let t = (v / max).clamp(0.0, 1.0);
                    // White to deep blue; text turns white on dark cells.
                    let (r0, g0, b0) = (255.0, 255.0, 255.0);
                    let (r1, g1, b1) = (8.0, 69.0, 148.0);
                    let c = format!(
                        "#{:02x}{:02x}{:02x}",
                        (r0 + (r1 - r0) * t) as u8,
                        (g0 + (g1 - g0) * t) as u8,
                        (b0 + (b1 - b0) * t) as u8
                    );
                    let fg = if t > 0.55 { "#ffffff" } else { "#222222" };
                    let _ = write!(
                        s,
                        r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{c}" stroke="#ffffff"><title>{} / {}: {}</title></rect>"##,
                        cell_w,
                        cell_h,
                        esc(r),
                        esc(&cols[j]),
                        esc(&fmt(*v))
                    );
                    let _ = write!(
                        s,
                        r#"<text x="{:.1}" y="{:.1}" fill="{fg}" text-anchor="middle" font-size="11">{}</text>"#,
                        x + cell_w / 2.0,
                        y + cell_h / 2.0 + 4.0,
                        esc(&fmt(*v))
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="#f4f4f4" stroke="#ffffff"/>"##,
                        cell_w, cell_h
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_well_formed_and_escape_labels() {
        let svg = hbars(
            "A & B",
            &["<x>".into(), "y".into()],
            &[
                ("ours".into(), vec![0.5, 1.0]),
                ("paper".into(), vec![0.25, 0.0]),
            ],
            1.0,
            &|v| format!("{:.0}%", v * 100.0),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("A &amp; B") && svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 2 + 4,
            "background, legend, bars"
        );
        let h = heatmap(
            "h",
            &["r".into()],
            &["c1".into(), "c2".into()],
            &[vec![Some(0.2), None]],
            1.0,
            &|v| format!("{v}"),
        );
        assert_eq!(h.matches("<rect").count(), 3);
        assert!(!h.contains("NaN"));
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(fit("short", 200.0), "short");
        let f = fit(&"x".repeat(200), 100.0);
        assert!(f.ends_with('…') && f.chars().count() < 20);
    }
}
