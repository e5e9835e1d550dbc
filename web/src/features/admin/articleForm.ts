import {
  ARTICLE_BODY_MAX_CHARS,
  ARTICLE_SLUG_MAX_CHARS,
  ARTICLE_TAG_MAX_CHARS,
  ARTICLE_TAGS_MAX,
  ARTICLE_TITLE_MAX_CHARS,
  type Article,
  type ArticleRequest,
} from '../../api/knowledge';
import { formatCount } from '../support/format';
import { charCount } from '../support/limits';

/** The article form's fields, named as the API names them (its errors land on them). */
export const ARTICLE_FIELDS = ['title', 'slug', 'tags', 'body', 'published'] as const;
export type ArticleField = (typeof ARTICLE_FIELDS)[number];

/** What the form holds: text as typed (tags comma-separated). */
export interface ArticleDraft {
  title: string;
  slug: string;
  tags: string;
  body: string;
  published: boolean;
}

export const EMPTY_DRAFT: ArticleDraft = { title: '', slug: '', tags: '', body: '', published: true };

export function draftOf(article: Article): ArticleDraft {
  return {
    title: article.title,
    slug: article.slug,
    tags: article.tags.join(', '),
    body: article.body,
    published: article.published,
  };
}

/** Tags from the comma-separated box: trimmed, lower-cased, empty ones and repeats dropped. */
export function parseTags(text: string): string[] {
  const tags: string[] = [];
  for (const part of text.split(',')) {
    const tag = part.trim().toLowerCase();
    if (tag !== '' && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The problems the server would refuse, found before asking it (the same rules and limits; the
 * server stays the authority). An empty object means the draft may be sent.
 */
export function articleProblems(draft: ArticleDraft): Partial<Record<ArticleField, string>> {
  const problems: Partial<Record<ArticleField, string>> = {};
  const title = charCount(draft.title);
  if (title === 0) problems.title = 'Enter a title';
  else if (title > ARTICLE_TITLE_MAX_CHARS) {
    problems.title = `Titles can be at most ${formatCount(ARTICLE_TITLE_MAX_CHARS)} characters (this one has ${formatCount(title)})`;
  }

  const slug = draft.slug.trim();
  if (slug !== '' && (slug.length > ARTICLE_SLUG_MAX_CHARS || !SLUG.test(slug))) {
    problems.slug = `Use up to ${ARTICLE_SLUG_MAX_CHARS} lower-case letters, digits and single dashes, like reset-your-password`;
  }

  const tags = parseTags(draft.tags);
  const long = tags.find((t) => Array.from(t).length > ARTICLE_TAG_MAX_CHARS);
  if (tags.length > ARTICLE_TAGS_MAX) problems.tags = `At most ${ARTICLE_TAGS_MAX} tags (there are ${tags.length})`;
  else if (long !== undefined) problems.tags = `Tags can be at most ${ARTICLE_TAG_MAX_CHARS} characters: “${long}” is longer`;

  const body = charCount(draft.body);
  if (body === 0) problems.body = 'Write the article';
  else if (body > ARTICLE_BODY_MAX_CHARS) {
    problems.body = `Articles can be at most ${formatCount(ARTICLE_BODY_MAX_CHARS)} characters (this one has ${formatCount(body)})`;
  }
  return problems;
}

/**
 * The request for a draft. An empty slug is left out: a new article gets one made from its
 * title, an edited one keeps its own.
 */
export function requestOf(draft: ArticleDraft): ArticleRequest {
  const slug = draft.slug.trim();
  return {
    title: draft.title.trim(),
    body: draft.body.trim(),
    tags: parseTags(draft.tags),
    published: draft.published,
    ...(slug === '' ? {} : { slug }),
  };
}

/** Whether the form differs from the article as saved. */
export function isDirty(draft: ArticleDraft, saved: ArticleDraft): boolean {
  return (
    draft.title !== saved.title ||
    draft.slug !== saved.slug ||
    parseTags(draft.tags).join(',') !== parseTags(saved.tags).join(',') ||
    draft.body !== saved.body ||
    draft.published !== saved.published
  );
}

/** Whether an article matches the list's filter text (title, slug or a tag). */
export function matchesFilter(article: Pick<Article, 'title' | 'slug' | 'tags'>, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (q === '') return true;
  return (
    article.title.toLowerCase().includes(q) ||
    article.slug.includes(q) ||
    article.tags.some((t) => t.includes(q))
  );
}
