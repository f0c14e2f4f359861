//! Functional categories: the taxonomy in `data/categories.toml` and a
//! transparent, deterministic keyword classifier over a package's name,
//! summary, keywords and README. The rules are written at the top of the data
//! file so that anyone can redo a decision by hand.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/categories.toml");

/// Field weights: the name and summary say what a package is for; a README
/// also talks about setup, clients and neighbours.
const W_NAME: u32 = 3;
const W_SUMMARY: u32 = 2;
const W_KEYWORDS: u32 = 2;
const W_README: u32 = 1;
/// Below this a category is a guess from a passing mention: `other`.
const MIN_SCORE: u32 = 3;
/// Only the start of a README describes the package; the rest is install notes.
const README_CHARS: usize = 6000;
/// A long README or keyword list names many neighbouring topics: what they
/// add to one category is capped, so that name and summary decide.
const README_CAP: u32 = 6;
const KEYWORDS_CAP: u32 = 8;
/// Terms this long also match inside glued package names (`xcodebuildmcp`).
const GLUED_MIN: usize = 5;

pub const OTHER: &str = "other";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    category: Vec<RawCategory>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: String,
    title: String,
    terms: BTreeMap<String, u32>,
}

#[derive(Clone, Debug)]
struct Term {
    words: Vec<String>,
    /// Last word is a stem (`scrap*`).
    stem: bool,
    weight: u32,
}

#[derive(Clone, Debug)]
pub struct Category {
    pub id: String,
    pub title: String,
    terms: Vec<Term>,
}

/// The taxonomy, in the order of the data file (which breaks ties).
#[derive(Debug)]
pub struct Taxonomy {
    pub categories: Vec<Category>,
}

/// What the classifier reads about a package.
#[derive(Clone, Debug, Default)]
pub struct Text<'a> {
    pub name: &'a str,
    pub summary: Option<&'a str>,
    pub keywords: &'a [String],
    pub readme: Option<&'a str>,
}

/// A classification and how it came about.
#[derive(Clone, Debug, PartialEq)]
pub struct Classified {
    pub category: String,
    /// `input` (given in the list), `classifier`, or `none` (nothing matched: `other`).
    pub source: &'static str,
    /// Margin (best - second) / best in [0, 1]; 1 for a category from the input.
    pub confidence: f64,
    pub score: u32,
}

impl Taxonomy {
    pub fn embedded() -> &'static Taxonomy {
        static T: OnceLock<Taxonomy> = OnceLock::new();
        T.get_or_init(|| Taxonomy::parse(DATA).expect("embedded categories.toml is valid"))
    }

    pub fn parse(text: &str) -> Result<Taxonomy, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("categories.toml: {e}"))?;
        let mut categories = vec![];
        for c in file.category {
            if c.id.is_empty()
                || !c
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(format!(
                    "categories.toml: bad id `{}` (lowercase, digits and `-`)",
                    c.id
                ));
            }
            if categories.iter().any(|o: &Category| o.id == c.id) {
                return Err(format!("categories.toml: duplicate id `{}`", c.id));
            }
            let mut terms = vec![];
            for (t, weight) in c.terms {
                let stem = t.ends_with('*');
                let words = words(t.trim_end_matches('*'));
                if words.is_empty() || weight == 0 {
                    return Err(format!(
                        "categories.toml: `{}`: bad term `{t}` = {weight}",
                        c.id
                    ));
                }
                terms.push(Term {
                    words,
                    stem,
                    weight,
                });
            }
            categories.push(Category {
                id: c.id,
                title: c.title,
                terms,
            });
        }
        if !categories.iter().any(|c| c.id == OTHER) {
            return Err("categories.toml: the `other` category is missing".into());
        }
        Ok(Taxonomy { categories })
    }

    pub fn title(&self, id: &str) -> String {
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.title.clone())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().map(|c| c.id.as_str())
    }

    /// Match a category given in an input list against ids and titles,
    /// forgivingly (`Developer Tools`, `developer-tools`, `developer_tools`).
    pub fn normalise_input(&self, given: &str) -> String {
        let key = words(given).join("-");
        for c in &self.categories {
            if c.id == key || words(&c.title).join("-") == key {
                return c.id.clone();
            }
        }
        // Unknown categories are kept as given: the input wins.
        given.trim().to_string()
    }

    /// Scores per category id, for explaining a decision.
    pub fn scores(&self, t: &Text) -> Vec<(String, u32)> {
        let name = words(t.name);
        let summary = t.summary.map(words).unwrap_or_default();
        let keywords: Vec<String> = t.keywords.iter().flat_map(|k| words(k)).collect();
        let readme = t
            .readme
            .map(|r| words(cut(r, README_CHARS)))
            .unwrap_or_default();
        self.categories
            .iter()
            .map(|c| {
                let (mut score, mut kw, mut rd) = (0, 0, 0);
                for term in &c.terms {
                    let in_name = matches(&name, term)
                        || (term.words.len() == 1
                            && term.words[0].len() >= GLUED_MIN
                            && name.iter().any(|w| {
                                w.len() > term.words[0].len() && w.contains(term.words[0].as_str())
                            }));
                    if in_name {
                        score += W_NAME * term.weight;
                    }
                    if matches(&summary, term) {
                        score += W_SUMMARY * term.weight;
                    }
                    if matches(&keywords, term) {
                        kw += W_KEYWORDS * term.weight;
                    }
                    if matches(&readme, term) {
                        rd += W_README * term.weight;
                    }
                }
                (
                    c.id.clone(),
                    score + kw.min(KEYWORDS_CAP) + rd.min(README_CAP),
                )
            })
            .collect()
    }

    /// Classify a package; `given` is the list's category column, which wins.
    pub fn classify(&self, given: Option<&str>, t: &Text) -> Classified {
        if let Some(g) = given.map(str::trim).filter(|g| !g.is_empty()) {
            return Classified {
                category: self.normalise_input(g),
                source: "input",
                confidence: 1.0,
                score: 0,
            };
        }
        let scores = self.scores(t);
        let mut best: Option<(&str, u32)> = None;
        let mut second = 0;
        for (id, s) in &scores {
            match best {
                Some((_, b)) if *s <= b => second = second.max(*s),
                _ => {
                    if let Some((_, b)) = best {
                        second = second.max(b);
                    }
                    best = Some((id, *s));
                }
            }
        }
        match best {
            Some((id, s)) if s >= MIN_SCORE => Classified {
                category: id.to_string(),
                source: "classifier",
                confidence: round2((s - second) as f64 / s as f64),
                score: s,
            },
            _ => Classified {
                category: OTHER.to_string(),
                source: "none",
                confidence: 0.0,
                score: best.map(|b| b.1).unwrap_or(0),
            },
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn cut(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Lower-cased words: runs of letters and digits.
pub fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

fn word_matches(w: &str, term: &str, stem: bool) -> bool {
    if stem {
        w.starts_with(term)
    } else {
        w == term
    }
}

fn matches(text: &[String], term: &Term) -> bool {
    let n = term.words.len();
    if text.len() < n {
        return false;
    }
    (0..=text.len() - n).any(|i| {
        term.words
            .iter()
            .enumerate()
            .all(|(j, tw)| word_matches(&text[i + j], tw, term.stem && j == n - 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(name: &str, summary: &str) -> Classified {
        Taxonomy::embedded().classify(
            None,
            &Text {
                name,
                summary: Some(summary),
                keywords: &[],
                readme: None,
            },
        )
    }

    #[test]
    fn the_embedded_taxonomy_loads_with_about_22_categories() {
        let t = Taxonomy::embedded();
        assert_eq!(t.categories.len(), 22);
        assert_eq!(t.categories.last().unwrap().id, OTHER);
        assert_eq!(t.title("location-maps"), "Location, Maps & Weather");
    }

    #[test]
    fn clear_cases() {
        let cases = [
            ("mcp-server-duckdb", "A DuckDB MCP server", "databases"),
            ("@cmd233/mcp-database-server", "MCP server for interacting with SQLite, SQL Server, PostgreSQL and MySQL databases", "databases"),
            ("@browserbasehq/mcp-server-browserbase", "MCP server for AI web browser automation using Browserbase and Stagehand", "browser-automation"),
            ("@skanda-yutori/mcp-send-email", "MCP server for sending emails via Resend API", "communication"),
            ("@roychri/mcp-server-asana", "MCP Server for Asana", "productivity"),
            ("@cocal/google-calendar-mcp", "Google Calendar MCP Server with extensive support for calendar management", "productivity"),
            ("@googlemaps/code-assist-mcp", "Google Maps Platform Code Assist MCP service", "location-maps"),
            ("@ashwinighuge/jenkins-mcp-server", "An MCP server for interacting with a Jenkins CI/CD server. Allows you to trigger jobs, check build statuses", "devops-monitoring"),
            ("mcp-server-git", "A Model Context Protocol server providing tools to read, search, and manipulate Git repositories programmatically via LLMs", "developer-tools"),
            ("reddit-mcp-ai", "A production-grade, open-source Reddit MCP Server", "social-media"),
            ("rekal", "Long-term memory MCP server for LLMs — hybrid search in a single SQLite file", "knowledge-memory"),
            ("mcp-mt5", "MCP server for MetaTrader 4/5 build pipeline — compile, deploy, backtest, parse reports", "finance"),
            ("@r-huijts/strava-mcp-server", "MCP server for Strava API", "health"),
            ("netmind-mcp-stampit", "A lightweight MCP component for adding text watermarks to pictures", "media"),
            ("dora-nis2-crosswalk-mcp", "DORA × NIS2 Crosswalk MCP — map Regulation (EU) 2022/2554 obligations", "security"),
            ("seo-mcp", "A free SEO tool MCP service based on Ahrefs data. Includes features such as backlinks, keyword ideas", "search"),
            ("amazon-datazone-mcp-server", "MCP server for AWS DataZone service", "cloud-platforms"),
            ("@mcp-get-community/server-curl", "MCP server for making HTTP requests using a curl-like interface", "api-development"),
            ("analytics-mcp", "MCP server for Google Analytics", "data-science"),
            ("attio-mcp-server", "A Model Context Protocol server that connects Attio to LLMs", "e-commerce"),
            ("pymupdf4llm-mcp", "MCP Server for pymupdf4llm", "file-systems"),
            ("mcp-tokenwise", "Free, local MCP server for context window visibility across all major AI models", "ai-llm"),
        ];
        for (name, summary, want) in cases {
            let c = classify(name, summary);
            assert_eq!(
                c.category,
                want,
                "{name}: {c:?} scores {:?}",
                Taxonomy::embedded()
                    .scores(&Text {
                        name,
                        summary: Some(summary),
                        keywords: &[],
                        readme: None
                    })
                    .into_iter()
                    .filter(|s| s.1 > 0)
                    .collect::<Vec<_>>()
            );
            assert_eq!(c.source, "classifier");
            assert!(c.confidence > 0.0 && c.confidence <= 1.0, "{name}: {c:?}");
        }
    }

    #[test]
    fn nothing_recognisable_is_other_with_zero_confidence() {
        let c = classify("mcp-server-demo", "Add your description here");
        assert_eq!(
            c,
            Classified {
                category: OTHER.into(),
                source: "none",
                confidence: 0.0,
                score: 0
            }
        );
        // A single weak README mention is not enough.
        let c = Taxonomy::embedded().classify(
            None,
            &Text {
                name: "foo",
                summary: None,
                keywords: &[],
                readme: Some("works with any file"),
            },
        );
        assert_eq!(c.category, OTHER);
    }

    #[test]
    fn the_input_category_wins_and_is_normalised() {
        let t = Taxonomy::embedded();
        let text = Text {
            name: "mcp-server-duckdb",
            summary: Some("DuckDB"),
            keywords: &[],
            readme: None,
        };
        let c = t.classify(Some("Developer Tools"), &text);
        assert_eq!(
            (c.category.as_str(), c.source, c.confidence),
            ("developer-tools", "input", 1.0)
        );
        assert_eq!(
            t.classify(Some("location_maps"), &text).category,
            "location-maps"
        );
        // Unknown input categories are kept as given.
        assert_eq!(t.classify(Some("Gaming"), &text).category, "Gaming");
        // An empty category column is no category.
        assert_eq!(t.classify(Some("  "), &text).category, "databases");
    }

    #[test]
    fn name_and_summary_weigh_more_than_the_readme() {
        let t = Taxonomy::embedded();
        let readme = "Send results by email, post them to Slack, notify Discord.";
        let c = t.classify(
            None,
            &Text {
                name: "postgres-mcp",
                summary: Some("Query PostgreSQL"),
                keywords: &[],
                readme: Some(readme),
            },
        );
        assert_eq!(c.category, "databases");
        // However many topics a README names, its weight in one category is capped.
        let readme = "Search research papers, academic citations, scholar profiles, university courses, students and teaching.";
        let c = t.classify(
            None,
            &Text {
                name: "firecrawl-mcp",
                summary: Some("search, scrape, and interact with the web"),
                keywords: &[],
                readme: Some(readme),
            },
        );
        assert_eq!(c.category, "browser-automation");
        // Keywords count like the summary.
        let kw = vec!["weather".to_string(), "forecast".to_string()];
        let c = t.classify(
            None,
            &Text {
                name: "skies",
                summary: None,
                keywords: &kw,
                readme: None,
            },
        );
        assert_eq!(c.category, "location-maps");
    }

    #[test]
    fn phrases_stems_and_glued_names() {
        let t = Taxonomy::embedded();
        assert_eq!(
            classify("scrapy-helper", "scraping pages").category,
            "browser-automation"
        );
        let c = t.classify(
            None,
            &Text {
                name: "xcodebuildmcp",
                summary: None,
                keywords: &[],
                readme: None,
            },
        );
        assert_eq!(c.category, "developer-tools");
        // A phrase needs its words in order.
        let s = t.scores(&Text {
            name: "x",
            summary: Some("maps google"),
            keywords: &[],
            readme: None,
        });
        let s2 = t.scores(&Text {
            name: "x",
            summary: Some("google maps"),
            keywords: &[],
            readme: None,
        });
        let get =
            |v: &Vec<(String, u32)>| v.iter().find(|(id, _)| id == "location-maps").unwrap().1;
        assert!(get(&s2) > get(&s));
    }

    #[test]
    fn ties_are_deterministic_and_have_zero_margin() {
        let t = Taxonomy::embedded();
        // `sqlite` (databases) and `pdf` (file systems) weigh the same.
        let a = t.classify(
            None,
            &Text {
                name: "x",
                summary: Some("sqlite pdf"),
                keywords: &[],
                readme: None,
            },
        );
        let b = t.classify(
            None,
            &Text {
                name: "x",
                summary: Some("pdf sqlite"),
                keywords: &[],
                readme: None,
            },
        );
        assert_eq!(a, b);
        assert_eq!(a.category, "databases");
        assert_eq!(a.confidence, 0.0);
    }

    #[test]
    fn bad_data_is_rejected() {
        assert!(
            Taxonomy::parse("[[category]]\nid = \"Bad Id\"\ntitle = \"x\"\nterms = {}\n").is_err()
        );
        assert!(Taxonomy::parse(
            "[[category]]\nid = \"a\"\ntitle = \"x\"\nterms = { \"b\" = 0 }\n"
        )
        .is_err());
        assert!(Taxonomy::parse(
            "[[category]]\nid = \"a\"\ntitle = \"x\"\nterms = {}\nextra = 1\n"
        )
        .is_err());
        assert!(
            Taxonomy::parse("[[category]]\nid = \"a\"\ntitle = \"x\"\nterms = {}\n").is_err(),
            "other is required"
        );
    }
}
