//! Text helpers shared by the analyzer, retrieval and summaries: folding, tokens, stems,
//! sentences and clauses.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashSet;
use std::sync::LazyLock;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Lowercases and folds Latin diacritics and typographic quotes, so that patterns written
/// without accents match "atención", "débité" and "stürzt". Byte length may change.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            match l {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
                'ç' => out.push('c'),
                'è' | 'é' | 'ê' | 'ë' => out.push('e'),
                'ì' | 'í' | 'î' | 'ï' => out.push('i'),
                'ñ' => out.push('n'),
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
                'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
                'ý' | 'ÿ' => out.push('y'),
                'ß' => out.push_str("ss"),
                'œ' => out.push_str("oe"),
                'æ' => out.push_str("ae"),
                '’' | '‘' | '`' | '´' => out.push('\''),
                '“' | '”' | '«' | '»' | '„' => out.push('"'),
                '¿' | '¡' => out.push(' '),
                _ => out.push(l),
            }
        }
    }
    out
}

/// Words of folded text: runs of letters, digits and inner apostrophes ("don't" stays whole).
pub(crate) fn words(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Common English words that carry no topic, plus question words and a few chat fillers.
static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "please",
        "pls",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "ok",
        "okay",
        "yes",
        "yeah",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "it's",
        "that's",
        "there's",
        "what's",
        "where's",
        "how's",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "cannot",
        "won't",
        "isn't",
        "aren't",
        "wasn't",
        "you're",
        "we're",
        "they're",
        "let",
        "get",
        "got",
        "want",
        "need",
        "way",
        "possible",
        "there",
        "s",
        "t",
        "d",
        "ll",
        "ve",
        "m",
        "re",
    ]
    .into_iter()
    .collect()
});

/// True for a word that carries no topic.
pub(crate) fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.contains(w)
}

/// The English Snowball stem of one folded word.
pub(crate) fn stem(word: &str) -> String {
    STEMMER.stem(word).into_owned()
}

/// Topic terms of a text: folded, stop words removed, stemmed. Order kept, repeats kept.
pub(crate) fn content_terms(text: &str) -> Vec<String> {
    let folded = fold(text);
    words(&folded)
        .into_iter()
        .filter(|w| w.chars().count() > 1 && !is_stop_word(w))
        .map(stem)
        .collect()
}

/// Splits text into sentences at `.`, `!`, `?`, `;` and line breaks (keeping the mark).
/// Dots inside words ("v2.3", "example.com") do not split.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(pos, c)) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).map(|&(_, n)| n);
        let ends = match c {
            '!' | '?' | ';' | '\n' => !matches!(next, Some('!' | '?')),
            '.' => next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if ends {
            let end = pos + c.len_utf8();
            let s = text[start..end].trim();
            if s.chars().any(char::is_alphanumeric) {
                out.push(s);
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if rest.chars().any(char::is_alphanumeric) {
        out.push(rest);
    }
    out
}

/// Splits folded text into clauses: sentences, then commas, colons, dashes and contrastive
/// conjunctions ("but", "pero", "mais", "aber", "mas"), which end the scope of a negation.
pub(crate) fn clauses(folded: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in sentences(folded) {
        let mut cur = String::new();
        for w in s.split_inclusive([',', ':', ' ']) {
            let bare = w
                .trim_end_matches([',', ':', ' '])
                .trim_matches(|c: char| !c.is_alphanumeric());
            let contrast = matches!(bare, "but" | "pero" | "mais" | "aber" | "mas" | "however")
                || w.trim() == "-"
                || w.trim() == "—";
            if contrast {
                push_clause(&mut out, &cur);
                cur.clear();
                continue;
            }
            cur.push_str(w);
            if w.ends_with(',') || w.ends_with(':') {
                push_clause(&mut out, &cur);
                cur.clear();
            }
        }
        push_clause(&mut out, &cur);
    }
    out
}

fn push_clause(out: &mut Vec<String>, s: &str) {
    let t = s.trim().trim_end_matches([',', ':']).trim().to_owned();
    if t.chars().any(char::is_alphanumeric) {
        out.push(t);
    }
}

/// Removes quoted spans ('Talk to a human', "escalate") so that button labels and menu names
/// quoted in a question are not read as the user's own words. Apostrophes inside words stay.
pub(crate) fn strip_quotes(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let opens = (c == '"')
            || (c == '\''
                && i.checked_sub(1)
                    .map(|p| !chars[p].is_alphanumeric())
                    .unwrap_or(true)
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()));
        if opens {
            // Find the closing mark: the same quote not followed by a letter.
            let close = (i + 1..chars.len())
                .find(|&j| chars[j] == c && chars.get(j + 1).is_none_or(|n| !n.is_alphanumeric()));
            if let Some(j) = close
                && j - i <= 60
            {
                out.push_str(" quoted ");
                i = j + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Similarity of two term lists: Jaccard over distinct terms, where two terms also match when
/// they share a prefix of five or more letters ("notified" and "notifications").
pub(crate) fn term_similarity(a: &[String], b: &[String]) -> f64 {
    let a: HashSet<&str> = a.iter().map(String::as_str).collect();
    let b: HashSet<&str> = b.iter().map(String::as_str).collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let same = |x: &str, y: &str| {
        x == y || {
            let p = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            p >= 5
        }
    };
    let shared = a.iter().filter(|x| b.iter().any(|y| same(x, y))).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// Cuts text to at most `max` characters at a word boundary, adding "…" when cut.
pub(crate) fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    let end = cut
        .rfind(char::is_whitespace)
        .filter(|&i| i > max / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_typographic_quotes() {
        assert_eq!(
            fold("Atención ¿Débité? STÜRZT’s"),
            "atencion  debite? sturzt's"
        );
    }

    #[test]
    fn sentences_split_on_marks_but_not_inside_words() {
        assert_eq!(
            sentences("Version 2.3 broke it!! Why? see example.com now"),
            vec!["Version 2.3 broke it!!", "Why?", "see example.com now"]
        );
    }

    #[test]
    fn clauses_end_at_commas_and_contrastive_conjunctions() {
        assert_eq!(
            clauses("i don't want a bot, i want a person but not now. ok"),
            vec!["i don't want a bot", "i want a person", "not now.", "ok"]
        );
    }

    #[test]
    fn quoted_labels_are_removed_but_contractions_stay() {
        assert_eq!(
            strip_quotes("can't change the 'talk to a human' button"),
            "can't change the  quoted  button"
        );
    }

    #[test]
    fn similar_questions_score_high_and_different_ones_low() {
        let a = content_terms("How can I set business hours?");
        let b = content_terms("how can i set business hours");
        let c = content_terms("How do I delete my account?");
        assert!(term_similarity(&a, &b) > 0.99);
        assert!(term_similarity(&a, &c) < 0.2);
    }
}
