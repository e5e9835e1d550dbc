//! `support-chat kb import PATH`: loads knowledge-base articles from Markdown or JSON files.
//!
//! Everything is read and checked first; one bad file means nothing is written. Articles are
//! matched by slug, so importing the same files again updates them rather than adding copies.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use support_chat_domain::knowledge::slug_from_title;
use support_chat_domain::{ArticleInput, parse_markdown_article};
use support_chat_store::{Store, Upserted};

/// One article in a JSON file (a single object or an array of them).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonArticle {
    slug: Option<String>,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default = "yes")]
    published: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonFile {
    Many(Vec<JsonArticle>),
    One(JsonArticle),
}

/// The `.md`, `.markdown` and `.json` files at `path` (a file, or a folder searched
/// recursively), sorted.
fn article_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    let mut dirs = vec![path.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let entry = entry?;
            let p = entry.path();
            // Symbolic links are not followed (a link to a parent folder would never end).
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                dirs.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("md" | "markdown" | "json")
            ) {
                found.push(p);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        bail!("{} holds no .md, .markdown or .json files", path.display());
    }
    Ok(found)
}

/// Reads and checks every article; every problem is listed with its file.
pub fn read_articles(path: &Path) -> anyhow::Result<Vec<ArticleInput>> {
    let mut articles: Vec<(String, ArticleInput)> = Vec::new();
    let mut problems = Vec::new();
    for file in article_files(path)? {
        let name = file.display().to_string();
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: cannot read it: {e}"));
                continue;
            }
        };
        if file.extension().and_then(|e| e.to_str()) == Some("json") {
            match serde_json::from_str::<JsonFile>(&text) {
                Err(e) => problems.push(format!(
                    "{name}: not an article or a list of articles ({{\"title\", \"body\", \"slug\"?, \"tags\"?, \"published\"?}}): {e}"
                )),
                Ok(parsed) => {
                    let list = match parsed {
                        JsonFile::Many(v) => v,
                        JsonFile::One(a) => vec![a],
                    };
                    for (i, a) in list.into_iter().enumerate() {
                        match ArticleInput::parse(a.slug.as_deref(), &a.title, &a.body, &a.tags, a.published) {
                            Ok(article) => articles.push((format!("{name} [{i}]"), article)),
                            Err(e) => problems.push(format!(
                                "{name} [{i}]: {}",
                                e.0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
                            )),
                        }
                    }
                }
            }
        } else {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let slug = slug_from_title(stem).unwrap_or_default();
            match parse_markdown_article(&slug, &text) {
                Ok(article) => articles.push((name, article)),
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for (source, a) in &articles {
        if let Some(first) = seen.insert(a.slug.clone(), source.clone()) {
            problems.push(format!(
                "{source}: slug \"{}\" is also used by {first}",
                a.slug
            ));
        }
    }
    if !problems.is_empty() {
        bail!(
            "nothing was imported; fix these and run it again:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(articles.into_iter().map(|(_, a)| a).collect())
}

/// Imports the articles at `path` in one transaction and prints what changed.
pub async fn import(store: &Store, path: &Path) -> anyhow::Result<()> {
    let articles = read_articles(path)?;
    let results = store
        .upsert_articles(&articles, None)
        .await
        .context("writing the articles")?;
    let count = |what: Upserted| results.iter().filter(|(_, u)| *u == what).count();
    println!(
        "{} articles: {} created, {} updated, {} unchanged",
        results.len(),
        count(Upserted::Created),
        count(Upserted::Updated),
        count(Upserted::Unchanged)
    );
    Ok(())
}
