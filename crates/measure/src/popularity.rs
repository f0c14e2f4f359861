//! Popularity bands. The study found that less popular servers carry
//! disproportionately many high-risk operations; bands make that comparable
//! across registries whose popularity signals differ:
//!
//! - npm: downloads per month: `<100`, `100-1k`, `1k-10k`, `10k-100k`, `>=100k`;
//! - PyPI: rank among the 15,000 most downloaded packages: `top-1k`, `1k-5k`,
//!   `5k-10k`, `10k-15k`, or `listed` (outside them);
//! - stars (git listings, or when the list says so): `0-10`, `10-100`, `100-1k`, `>=1k`.
//!
//! Each interval includes its lower bound (100 downloads is `100-1k`). Nothing
//! known is `unknown`, reported as such.

use std::collections::BTreeMap;

/// What a popularity number measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopKind {
    Downloads,
    Rank,
    Stars,
    Unknown,
}

impl PopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PopKind::Downloads => "downloads",
            PopKind::Rank => "rank",
            PopKind::Stars => "stars",
            PopKind::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<PopKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "downloads" | "downloads/month" | "monthly-downloads" | "dl" => {
                Some(PopKind::Downloads)
            }
            "rank" | "download-rank" => Some(PopKind::Rank),
            "stars" | "github-stars" => Some(PopKind::Stars),
            _ => None,
        }
    }
}

/// All bands in report order (lowest popularity first within a kind).
pub const BANDS: &[&str] = &[
    "downloads:<100",
    "downloads:100-1k",
    "downloads:1k-10k",
    "downloads:10k-100k",
    "downloads:>=100k",
    "rank:listed",
    "rank:10k-15k",
    "rank:5k-10k",
    "rank:1k-5k",
    "rank:top-1k",
    "stars:0-10",
    "stars:10-100",
    "stars:100-1k",
    "stars:>=1k",
    "unknown",
];

/// Position of a band in `BANDS` (unknown bands last).
pub fn band_order(band: &str) -> usize {
    BANDS.iter().position(|b| *b == band).unwrap_or(BANDS.len())
}

/// Human label of a band for reports.
pub fn band_label(band: &str) -> String {
    match band.split_once(':') {
        Some(("downloads", b)) => format!("npm {b} dl/month"),
        Some(("rank", "listed")) => "PyPI listed (rank >15k)".to_string(),
        Some(("rank", "top-1k")) => "PyPI rank top 1k".to_string(),
        Some(("rank", b)) => format!("PyPI rank {b}"),
        Some(("stars", b)) => format!("{b} stars"),
        _ => band.to_string(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Popularity {
    /// As given in the list (empty when none).
    pub raw: Option<String>,
    pub kind: PopKind,
    pub band: String,
}

/// Work out kind and band from a list entry: its `popularity` column, its
/// extra columns (`stars`, `downloads`, `rank`, `popularity_kind`) and its
/// registry (`npm`, `pypi`, `git`, `dir`).
pub fn classify(
    registry: &str,
    popularity: Option<&str>,
    extra: &BTreeMap<String, String>,
) -> Popularity {
    let get = |k: &str| {
        extra
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let given_kind = get("popularity_kind").and_then(PopKind::parse);
    let pop = popularity.map(str::trim).filter(|p| !p.is_empty());
    // A dedicated column wins when the popularity column is empty.
    let (raw, kind) = match (pop, given_kind) {
        (Some(p), Some(k)) => (Some(p), k),
        (Some(p), None) => (Some(p), default_kind(registry)),
        (None, _) => {
            if let Some(s) = get("stars") {
                (Some(s), PopKind::Stars)
            } else if let Some(d) = get("downloads") {
                (Some(d), PopKind::Downloads)
            } else if let Some(r) = get("rank") {
                (Some(r), PopKind::Rank)
            } else {
                (None, PopKind::Unknown)
            }
        }
    };
    let band = raw.and_then(|r| band(kind, r));
    match band {
        Some(b) => Popularity {
            raw: raw.map(str::to_string),
            kind,
            band: b,
        },
        None => Popularity {
            raw: raw.map(str::to_string),
            kind: if raw.is_some() {
                kind
            } else {
                PopKind::Unknown
            },
            band: "unknown".into(),
        },
    }
}

/// npm lists give downloads, PyPI lists a rank; git listings usually stars.
fn default_kind(registry: &str) -> PopKind {
    match registry {
        "npm" => PopKind::Downloads,
        "pypi" => PopKind::Rank,
        "git" => PopKind::Stars,
        _ => PopKind::Unknown,
    }
}

/// Parse `1234`, `1,234`, `1.2k`, `3M`.
fn number(s: &str) -> Option<u64> {
    let s = s.trim().replace([',', '_', ' '], "").to_ascii_lowercase();
    let (digits, mult) = match s.chars().last()? {
        'k' => (&s[..s.len() - 1], 1_000.0),
        'm' => (&s[..s.len() - 1], 1_000_000.0),
        _ => (&s[..], 1.0),
    };
    let v: f64 = digits.parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * mult).round() as u64)
}

fn band(kind: PopKind, raw: &str) -> Option<String> {
    let b = match kind {
        PopKind::Downloads => {
            let n = number(raw)?;
            match n {
                0..100 => "downloads:<100",
                100..1_000 => "downloads:100-1k",
                1_000..10_000 => "downloads:1k-10k",
                10_000..100_000 => "downloads:10k-100k",
                _ => "downloads:>=100k",
            }
        }
        PopKind::Rank => {
            if raw.trim().eq_ignore_ascii_case("listed") {
                "rank:listed"
            } else {
                match number(raw)? {
                    0 => return None,
                    1..=1_000 => "rank:top-1k",
                    1_001..=5_000 => "rank:1k-5k",
                    5_001..=10_000 => "rank:5k-10k",
                    10_001..=15_000 => "rank:10k-15k",
                    _ => "rank:listed",
                }
            }
        }
        PopKind::Stars => match number(raw)? {
            0..10 => "stars:0-10",
            10..100 => "stars:10-100",
            100..1_000 => "stars:100-1k",
            _ => "stars:>=1k",
        },
        PopKind::Unknown => return None,
    };
    Some(b.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn npm_downloads_bands_include_their_lower_bound() {
        let b = |s| classify("npm", Some(s), &none()).band;
        assert_eq!(b("0"), "downloads:<100");
        assert_eq!(b("99"), "downloads:<100");
        assert_eq!(b("100"), "downloads:100-1k");
        assert_eq!(b("1,635"), "downloads:1k-10k");
        assert_eq!(b("34018"), "downloads:10k-100k");
        assert_eq!(b("100000"), "downloads:>=100k");
        assert_eq!(b("1.4M"), "downloads:>=100k");
        assert_eq!(
            classify("npm", Some("12k"), &none()).kind,
            PopKind::Downloads
        );
    }

    #[test]
    fn pypi_ranks_and_listed() {
        let b = |s| classify("pypi", Some(s), &none()).band;
        assert_eq!(b("listed"), "rank:listed");
        assert_eq!(b("1"), "rank:top-1k");
        assert_eq!(b("1000"), "rank:top-1k");
        assert_eq!(b("2350"), "rank:1k-5k");
        assert_eq!(b("6490"), "rank:5k-10k");
        assert_eq!(b("14825"), "rank:10k-15k");
        assert_eq!(b("20000"), "rank:listed");
    }

    #[test]
    fn stars_from_a_column_or_a_kind() {
        let mut extra = BTreeMap::new();
        extra.insert("stars".to_string(), "57".to_string());
        let p = classify("npm", None, &extra);
        assert_eq!(
            (p.kind, p.band.as_str(), p.raw.as_deref()),
            (PopKind::Stars, "stars:10-100", Some("57"))
        );
        let mut extra = BTreeMap::new();
        extra.insert("popularity_kind".to_string(), "stars".to_string());
        assert_eq!(classify("npm", Some("1000"), &extra).band, "stars:>=1k");
        assert_eq!(classify("npm", Some("9"), &extra).band, "stars:0-10");
        // git listings carry stars.
        assert_eq!(classify("git", Some("150"), &none()).band, "stars:100-1k");
    }

    #[test]
    fn unknown_stays_unknown() {
        let p = classify("npm", None, &none());
        assert_eq!(
            (p.kind, p.band.as_str(), p.raw),
            (PopKind::Unknown, "unknown", None)
        );
        assert_eq!(classify("npm", Some("n/a"), &none()).band, "unknown");
        assert_eq!(
            classify("npm", Some("n/a"), &none()).raw.as_deref(),
            Some("n/a")
        );
        assert_eq!(classify("dir", Some("12"), &none()).band, "unknown");
        assert_eq!(classify("pypi", Some("0"), &none()).band, "unknown");
    }

    #[test]
    fn bands_sort_in_report_order() {
        assert!(band_order("downloads:<100") < band_order("downloads:>=100k"));
        assert!(band_order("rank:listed") < band_order("rank:top-1k"));
        assert_eq!(band_order("unknown"), BANDS.len() - 1);
        assert_eq!(band_label("rank:listed"), "PyPI listed (rank >15k)");
        assert_eq!(band_label("downloads:1k-10k"), "npm 1k-10k dl/month");
    }
}
