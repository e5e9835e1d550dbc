//! Knowledge-base article input: what an admin (or `support-chat kb import`) may write.

use crate::FieldErrors;
use crate::input::trimmed_len_between;

/// Longest article title, in characters.
pub const MAX_ARTICLE_TITLE_CHARS: usize = 200;
/// Longest article body (Markdown), in characters.
pub const MAX_ARTICLE_BODY_CHARS: usize = 100_000;
/// Most tags on one article.
pub const MAX_ARTICLE_TAGS: usize = 20;

/// A validated article: title (single line), Markdown body, tags (lower-case, no repeats),
/// slug (the stable key `kb import` updates by) and whether users and the assistant see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleInput {
    pub slug: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub published: bool,
}

impl ArticleInput {
    /// Parses raw fields, collecting every problem by field name. Without a slug one is made
    /// from the title.
    pub fn parse(
        slug: Option<&str>,
        title: &str,
        body: &str,
        tags: &[String],
        published: bool,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", parse_title(title));
        let body = errors.check(
            "body",
            trimmed_len_between(body, "body", 1, MAX_ARTICLE_BODY_CHARS),
        );
        let tags = errors.check("tags", parse_tags(tags));
        let slug = match (slug, &title) {
            (Some(raw), _) => errors.check("slug", parse_slug(raw)),
            (None, Some(t)) => errors.check("title", slug_from_title(t)),
            (None, None) => None,
        };
        match (slug, title, body, tags) {
            (Some(slug), Some(title), Some(body), Some(tags)) if errors.is_empty() => Ok(Self {
                slug,
                title,
                body,
                tags,
                published,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_title(raw: &str) -> Result<String, String> {
    let t = trimmed_len_between(raw, "title", 1, MAX_ARTICLE_TITLE_CHARS)?;
    if t.contains(['\n', '\r']) {
        return Err("title must be a single line".into());
    }
    Ok(t)
}

/// Tags: at most 20, each 1..=50 characters, lower-cased, repeats dropped, order kept.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim().to_lowercase();
        if t.is_empty() {
            return Err("tags must not contain empty tags".into());
        }
        if t.chars().count() > 50 {
            return Err(format!("tag \"{t}\" is longer than 50 characters"));
        }
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if tags.len() > MAX_ARTICLE_TAGS {
        return Err(format!(
            "at most {MAX_ARTICLE_TAGS} tags are allowed (got {})",
            tags.len()
        ));
    }
    Ok(tags)
}

/// A slug: 1..=120 of `a-z`, `0-9` and single dashes inside.
pub fn parse_slug(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 120
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(s.to_owned())
    } else {
        Err("slug must be 1 to 120 lower-case letters, digits and single dashes (like `reset-your-password`)".into())
    }
}

/// Makes a slug from a title: ASCII letters and digits kept, everything else a dash.
pub fn slug_from_title(title: &str) -> Result<String, String> {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 120 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        return Err(
            "title needs at least one letter or digit to make a slug from; give a slug".into(),
        );
    }
    Ok(slug)
}

/// Reads an article from a Markdown file: an optional front matter block between `---` lines
/// with `title:`, `slug:`, `tags:` (comma-separated, brackets optional) and `published:`
/// (`true`/`false`), then the body. Without a `title:`, the first `# Heading` is the title.
/// `default_slug` (usually the file name) is used when the front matter gives none.
pub fn parse_markdown_article(default_slug: &str, text: &str) -> Result<ArticleInput, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut title, mut slug, mut tags, mut published) = (None, None, Vec::new(), true);
    let mut body = text;
    if let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    {
        let end = rest
            .find("\n---")
            .ok_or("the front matter starting with --- has no closing --- line")?;
        for (i, line) in rest[..end].lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once(':').ok_or_else(|| {
                format!("front matter line {} is not `key: value`: {line}", i + 2)
            })?;
            let value = value.trim();
            match key.trim() {
                "title" => title = Some(value.trim_matches('"').to_owned()),
                "slug" => slug = Some(value.to_owned()),
                "tags" => {
                    tags = value
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .split(',')
                        .map(|t| t.trim().trim_matches('"').to_owned())
                        .filter(|t| !t.is_empty())
                        .collect();
                }
                "published" => {
                    published = match value {
                        "true" | "yes" => true,
                        "false" | "no" => false,
                        other => {
                            return Err(format!("published must be true or false, not {other}"));
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "unknown front matter key `{other}` (known: title, slug, tags, published)"
                    ));
                }
            }
        }
        body = rest[end + 4..]
            .trim_start_matches(['-'])
            .trim_start_matches(['\r', '\n']);
    }
    let title = match title {
        Some(t) => t,
        None => body
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(str::to_owned)
            .ok_or("no title: add `title:` front matter or a `# Heading` line")?,
    };
    let slug = slug.unwrap_or_else(|| default_slug.to_owned());
    ArticleInput::parse(Some(&slug), &title, body, &tags, published).map_err(|e| {
        e.0.iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_article_is_trimmed_and_gets_a_slug_from_its_title() {
        let a = ArticleInput::parse(
            None,
            "  Reset your password! ",
            " Go to *Settings*. ",
            &["Account".into(), "account".into(), " login ".into()],
            true,
        )
        .unwrap();
        assert_eq!(a.slug, "reset-your-password");
        assert_eq!(a.title, "Reset your password!");
        assert_eq!(a.body, "Go to *Settings*.");
        assert_eq!(a.tags, vec!["account", "login"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let e =
            ArticleInput::parse(Some("Bad Slug"), "", "   ", &[String::new()], true).unwrap_err();
        let fields: Vec<&str> = e.0.keys().map(String::as_str).collect();
        assert_eq!(fields, vec!["body", "slug", "tags", "title"]);
        let too_many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        let e = ArticleInput::parse(None, "T", "B", &too_many, true).unwrap_err();
        assert!(e.0["tags"].contains("at most 20"), "{:?}", e.0);
        let e = ArticleInput::parse(None, "two\nlines", "B", &[], true).unwrap_err();
        assert_eq!(e.0["title"], "title must be a single line");
    }

    #[test]
    fn markdown_files_give_their_front_matter_and_body() {
        let a = parse_markdown_article(
            "file-name",
            "---\ntitle: Refunds\ntags: [billing, Money]\npublished: false\n---\n# Refunds\n\nWithin 14 days.\n",
        )
        .unwrap();
        assert_eq!(
            (a.slug.as_str(), a.title.as_str(), a.published),
            ("file-name", "Refunds", false)
        );
        assert_eq!(a.tags, vec!["billing", "money"]);
        assert_eq!(a.body, "# Refunds\n\nWithin 14 days.");
        let plain = parse_markdown_article("vpn", "# Set up the VPN\n\nInstall it.").unwrap();
        assert_eq!(plain.title, "Set up the VPN");
    }

    #[test]
    fn broken_markdown_articles_say_what_is_wrong() {
        let e = parse_markdown_article("x", "---\ntitle: A\nauthor: me\n---\nbody").unwrap_err();
        assert!(e.contains("unknown front matter key `author`"), "{e}");
        let e = parse_markdown_article("x", "---\ntitle: A\nbody").unwrap_err();
        assert!(e.contains("no closing"), "{e}");
        let e = parse_markdown_article("x", "just text").unwrap_err();
        assert!(e.contains("no title"), "{e}");
        let e = parse_markdown_article("Bad Name", "# T\n\nb").unwrap_err();
        assert!(e.starts_with("slug:"), "{e}");
    }

    #[test]
    fn a_title_without_letters_needs_an_explicit_slug() {
        let e = ArticleInput::parse(None, "¿¿??", "B", &[], true).unwrap_err();
        assert!(e.0["title"].contains("give a slug"));
        assert_eq!(
            ArticleInput::parse(Some("faq-1"), "¿¿??", "B", &[], true)
                .unwrap()
                .slug,
            "faq-1"
        );
    }
}
