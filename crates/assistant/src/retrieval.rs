//! The offline answerer: BM25 over knowledge-base passages.

use crate::text::{content_terms, truncate_words};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// Below this confidence the assistant says it does not know (and offers a person).
///
/// Confidence is the share of the question's weight (IDF of each distinct topic term) that
/// the best passage covers, counting its article title, tags and section heading. 0.5 means
/// the passage must cover at least half of what is specific in the question: "How do I
/// export conversations as CSV?" against an article on CSV export scores near 1; "What is
/// the weather in Paris?" scores 0 and gets no answer.
pub const MIN_CONFIDENCE: f32 = 0.5;

const K1: f32 = 1.2;
const B: f32 = 0.75;
const TITLE_BOOST: f32 = 2.0;
const TAG_BOOST: f32 = 2.0;
const HEADING_BOOST: f32 = 1.5;
/// Paragraphs shorter than this are joined with the next one of the same section.
const MIN_PASSAGE_CHARS: usize = 80;
/// Paragraphs longer than this are cut at sentence ends.
const MAX_PASSAGE_CHARS: usize = 1200;

/// A knowledge-base article as admins write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    /// The article's id.
    pub id: i64,
    /// Its stable key, returned with answers so a citation can link to it.
    #[serde(default)]
    pub slug: String,
    /// Its title (weighted double in retrieval).
    pub title: String,
    /// Markdown body; headings start sections, blank lines separate paragraphs.
    pub body: String,
    /// Tags (weighted double in retrieval).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One retrieved passage with its article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// The article the passage comes from.
    pub article_id: i64,
    /// That article's title.
    pub article_title: String,
    /// That article's slug.
    pub article_slug: String,
    /// The section heading above the passage, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The passage as plain text (Markdown markup removed).
    pub passage: String,
    /// BM25 score (unbounded; only comparable within one question).
    pub score: f32,
    /// 0..1: how much of the question the passage covers; see [`MIN_CONFIDENCE`].
    pub confidence: f32,
}

struct Passage {
    article: u32,
    heading: Option<String>,
    text: String,
    /// Distinct terms of the passage with its title, tags and heading.
    terms: Vec<String>,
}

/// An immutable BM25 index over articles, split into passages. Build a new one when
/// articles change and swap it in (for example behind an `ArcSwap` or `RwLock<Arc<_>>`).
pub struct KnowledgeIndex {
    /// `(id, title, slug)` of each article.
    articles: Vec<(i64, String, String)>,
    passages: Vec<Passage>,
    postings: HashMap<String, Vec<(u32, f32)>>,
    lengths: Vec<f32>,
    avg_len: f32,
}

impl KnowledgeIndex {
    /// Splits every article into passages and indexes them. Linear in the text size.
    pub fn new(articles: impl IntoIterator<Item = Article>) -> Self {
        let mut index = KnowledgeIndex {
            articles: Vec::new(),
            passages: Vec::new(),
            postings: HashMap::new(),
            lengths: Vec::new(),
            avg_len: 0.0,
        };
        for article in articles {
            let a = index.articles.len() as u32;
            let title_terms = content_terms(&article.title);
            let tag_terms: Vec<String> =
                article.tags.iter().flat_map(|t| content_terms(t)).collect();
            let mut sections = split_passages(&article.body);
            if sections.is_empty() {
                sections.push((None, article.title.clone()));
            }
            for (heading, text) in sections {
                let p = index.passages.len() as u32;
                let heading_terms = heading.as_deref().map(content_terms).unwrap_or_default();
                let body_terms = content_terms(&text);
                let mut tf: HashMap<String, f32> = HashMap::new();
                for (terms, w) in [
                    (&body_terms, 1.0),
                    (&title_terms, TITLE_BOOST),
                    (&tag_terms, TAG_BOOST),
                    (&heading_terms, HEADING_BOOST),
                ] {
                    for t in terms {
                        *tf.entry(t.clone()).or_default() += w;
                    }
                }
                let len: f32 = tf.values().sum();
                let mut terms: Vec<String> = tf.keys().cloned().collect();
                terms.sort();
                for (t, f) in tf {
                    index.postings.entry(t).or_default().push((p, f));
                }
                index.lengths.push(len);
                index.passages.push(Passage {
                    article: a,
                    heading,
                    text,
                    terms,
                });
            }
            index
                .articles
                .push((article.id, article.title, article.slug));
        }
        let n = index.lengths.len().max(1) as f32;
        index.avg_len = (index.lengths.iter().sum::<f32>() / n).max(1.0);
        index
    }

    /// Number of indexed articles.
    pub fn article_count(&self) -> usize {
        self.articles.len()
    }

    /// Number of indexed passages.
    pub fn passage_count(&self) -> usize {
        self.passages.len()
    }

    fn idf(&self, term: &str) -> f32 {
        let n = self.passages.len() as f32;
        let df = self.postings.get(term).map_or(0, Vec::len) as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The best passages for a question, best first, at most `limit`, each with its
    /// confidence. Empty when nothing matches (or the question has no topic words).
    /// For grounding an LLM on several passages.
    pub fn search(&self, question: &str, limit: usize) -> Vec<Answer> {
        let mut query = content_terms(question);
        query.sort();
        query.dedup();
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let weights: Vec<(String, f32)> = query
            .into_iter()
            .map(|t| {
                let w = self.idf(&t);
                (t, w)
            })
            .collect();
        let total: f32 = weights.iter().map(|(_, w)| w).sum();
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for (t, idf) in &weights {
            for &(p, tf) in self.postings.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                let len = self.lengths[p as usize];
                let s = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
                *scores.entry(p).or_default() += s;
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(limit)
            .map(|(p, score)| {
                let passage = &self.passages[p as usize];
                let covered: f32 = weights
                    .iter()
                    .filter(|(t, _)| passage.terms.binary_search(t).is_ok())
                    .map(|(_, w)| w)
                    .sum();
                let (id, title, slug) = &self.articles[passage.article as usize];
                Answer {
                    article_id: *id,
                    article_title: title.clone(),
                    article_slug: slug.clone(),
                    heading: passage.heading.clone(),
                    passage: passage.text.clone(),
                    score,
                    confidence: if total > 0.0 {
                        (covered / total).clamp(0.0, 1.0)
                    } else {
                        0.0
                    },
                }
            })
            .collect()
    }

    /// The best passage when its confidence reaches [`MIN_CONFIDENCE`]; `None` means "I don't
    /// know" (answer with [`crate::NO_ANSWER_TEXT`] and pass the low confidence to
    /// [`crate::analyze`]).
    pub fn answer(&self, question: &str) -> Option<Answer> {
        // Among the top few by BM25, prefer the one that covers the question best.
        self.search(question, 5)
            .into_iter()
            .enumerate()
            .max_by(|(i, a), (j, b)| a.confidence.total_cmp(&b.confidence).then(j.cmp(i)))
            .map(|(_, a)| a)
            .filter(|a| a.confidence >= MIN_CONFIDENCE)
    }
}

/// Splits Markdown into (heading, paragraph) passages with the markup removed.
fn split_passages(markdown: &str) -> Vec<(Option<String>, String)> {
    let mut out: Vec<(Option<String>, String)> = Vec::new();
    let mut heading: Option<String> = None;
    let mut para = String::new();
    let mut in_code = false;
    let flush =
        |out: &mut Vec<(Option<String>, String)>, heading: &Option<String>, para: &mut String| {
            let text = para.trim().to_owned();
            para.clear();
            if text.is_empty() {
                return;
            }
            // Join a short paragraph to the previous one of the same section.
            if let Some((h, prev)) = out.last_mut()
                && h == heading
                && (prev.chars().count() < MIN_PASSAGE_CHARS
                    || text.chars().count() < MIN_PASSAGE_CHARS / 2)
                && prev.chars().count() + text.chars().count() < MAX_PASSAGE_CHARS
            {
                prev.push(' ');
                prev.push_str(&text);
                return;
            }
            for piece in cut_long(&text) {
                out.push((heading.clone(), piece));
            }
        };
    for line in markdown.lines() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        if !in_code && t.starts_with('#') {
            flush(&mut out, &heading, &mut para);
            let h = clean_inline(t.trim_start_matches('#').trim());
            heading = (!h.is_empty()).then_some(h);
            continue;
        }
        if t.is_empty() && !in_code {
            flush(&mut out, &heading, &mut para);
            continue;
        }
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(&clean_inline(strip_block_marker(t)));
    }
    flush(&mut out, &heading, &mut para);
    out
}

fn strip_block_marker(t: &str) -> &str {
    let t = t.trim_start_matches('>').trim_start();
    for m in ["- ", "* ", "+ "] {
        if let Some(r) = t.strip_prefix(m) {
            return r;
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(r) = t[digits..]
            .strip_prefix(". ")
            .or_else(|| t[digits..].strip_prefix(") "))
    {
        return r;
    }
    t
}

/// Removes inline Markdown: images, link targets, emphasis and code marks, HTML tags.
fn clean_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '!' && chars.get(i + 1) == Some(&'[') {
            // Image: keep nothing.
            if let Some(end) = find_link_end(&chars, i + 1) {
                i = end;
                continue;
            }
        }
        if c == '['
            && let Some(close) = chars[i + 1..]
                .iter()
                .position(|&x| x == ']')
                .map(|p| p + i + 1)
            && chars.get(close + 1) == Some(&'(')
            && let Some(end) = chars[close + 1..]
                .iter()
                .position(|&x| x == ')')
                .map(|p| p + close + 2)
        {
            out.extend(&chars[i + 1..close]);
            i = end;
            continue;
        }
        if c == '<'
            && let Some(end) = chars[i..].iter().position(|&x| x == '>')
            && end < 40
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/')
        {
            i += end + 1;
            continue;
        }
        if matches!(c, '*' | '`' | '~')
            || (c == '_'
                && (i == 0
                    || !chars[i - 1].is_alphanumeric()
                    || chars.get(i + 1).is_none_or(|n| !n.is_alphanumeric())))
        {
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn find_link_end(chars: &[char], open: usize) -> Option<usize> {
    let close = chars[open..].iter().position(|&x| x == ']')? + open;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    Some(chars[close + 1..].iter().position(|&x| x == ')')? + close + 2)
}

fn cut_long(text: &str) -> Vec<String> {
    if text.chars().count() <= MAX_PASSAGE_CHARS {
        return vec![text.to_owned()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for s in crate::text::sentences(text) {
        if !cur.is_empty() && cur.chars().count() + s.chars().count() > MAX_PASSAGE_CHARS {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&truncate_words(s, MAX_PASSAGE_CHARS));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> KnowledgeIndex {
        KnowledgeIndex::new([
            Article {
                id: 1,
                slug: "article-1".into(),
                title: "Exporting conversations".into(),
                body: "# Export\n\nOpen **Settings → Data** and choose *Export*. You can export \
                       every conversation as CSV or JSON; the file arrives by email.\n\n\
                       ## Limits\n\nExports are limited to one per hour per workspace."
                    .into(),
                tags: vec!["csv".into(), "data".into()],
            },
            Article {
                id: 2,
                slug: "article-2".into(),
                title: "Two-factor authentication".into(),
                body: "Turn on two-factor authentication under Profile → Security. Scan the QR \
                       code with an authenticator app and keep the recovery codes somewhere safe."
                    .into(),
                tags: vec!["security".into(), "2fa".into()],
            },
            Article {
                id: 3,
                slug: "article-3".into(),
                title: "Billing and invoices".into(),
                body: "Invoices are in Billing → History. Download any invoice as a PDF. \
                       [Change your card](https://example.com/card) in Billing → Payment method."
                    .into(),
                tags: vec![],
            },
        ])
    }

    #[test]
    fn the_right_article_answers_with_its_passage() {
        let kb = kb();
        let a = kb
            .answer("How do I export my conversations as CSV?")
            .expect("an answer");
        assert_eq!(a.article_id, 1);
        assert!(a.passage.contains("Settings → Data"), "{}", a.passage);
        assert!(!a.passage.contains("**"), "markup removed: {}", a.passage);
        assert!(a.confidence >= 0.9, "{}", a.confidence);
        let a = kb
            .answer("where can I download an invoice?")
            .expect("an answer");
        assert_eq!(a.article_id, 3);
        assert!(a.passage.contains("Change your card") && !a.passage.contains("https"));
        let a = kb
            .answer("enable two factor authentication")
            .expect("an answer");
        assert_eq!(a.article_id, 2);
    }

    #[test]
    fn a_section_heading_scopes_the_passage() {
        let a = kb()
            .answer("how many exports per hour?")
            .expect("an answer");
        assert_eq!(a.heading.as_deref(), Some("Limits"));
        assert!(a.passage.starts_with("Exports are limited"));
    }

    #[test]
    fn an_unrelated_question_gets_no_answer() {
        let kb = kb();
        assert_eq!(
            kb.answer("What's the weather like in Paris tomorrow?"),
            None
        );
        assert_eq!(kb.answer("hello"), None);
        assert_eq!(kb.answer(""), None);
        // One known word among several specific unknown ones is not enough.
        let weak = kb.search("export my cat photos to instagram stories", 1);
        assert!(
            weak[0].confidence < MIN_CONFIDENCE,
            "{}",
            weak[0].confidence
        );
        assert_eq!(kb.answer("export my cat photos to instagram stories"), None);
    }

    #[test]
    fn search_ranks_passages_and_respects_the_limit() {
        let kb = kb();
        let all = kb.search("export limits", 10);
        assert_eq!(all.len(), 2, "both sections of the export article match");
        assert!(all.iter().all(|h| h.article_id == 1));
        assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(all[0].heading.as_deref(), Some("Limits"));
        assert_eq!(kb.search("export limits", 1).len(), 1);
        assert!(kb.search("export", 0).is_empty());
    }

    #[test]
    fn thousands_of_articles_index_and_answer() {
        let articles = (0..3000).map(|i| Article {
            id: i,
            slug: format!("topic-{i}"),
            title: format!("Topic {i} widget{i}"),
            body: format!(
                "# Setup\n\nConfigure widget{i} from the admin screen and save.\n\n# Troubleshooting\n\nIf widget{i} fails, restart it."
            ),
            tags: vec![format!("t{i}")],
        });
        let kb = KnowledgeIndex::new(articles);
        assert_eq!(kb.article_count(), 3000);
        assert_eq!(kb.passage_count(), 6000);
        let a = kb.answer("how to configure widget2750").expect("an answer");
        assert_eq!(a.article_id, 2750);
        assert_eq!(a.heading.as_deref(), Some("Setup"));
    }

    #[test]
    fn markdown_markup_is_removed_from_passages() {
        let p = split_passages(
            "Intro line that is long enough to stand alone as its own passage here, surely, with a few more words.\n\n\
             - step `one` with ![img](x.png) and <b>bold</b> text in it\n- step _two_ of the list\n\n```\ncode block\n```",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[1].1,
            "step one with and bold text in it step two of the list code block"
        );
    }
}
