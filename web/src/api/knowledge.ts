import { unwrap, type Api } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type Article = Schemas['Article'];
/** One article with `bodyHtml`: its Markdown rendered and sanitised by the server. */
export type ArticleView = Schemas['ArticleView'];
export type ArticlesResponse = Schemas['ArticlesResponse'];
export type ArticleRequest = Schemas['ArticleRequest'];

/** The server's limits for articles (see the REST reference), checked here before saving. */
export const ARTICLE_TITLE_MAX_CHARS = 200;
export const ARTICLE_BODY_MAX_CHARS = 100_000;
export const ARTICLE_TAGS_MAX = 20;
export const ARTICLE_TAG_MAX_CHARS = 50;
export const ARTICLE_SLUG_MAX_CHARS = 120;
/** The most the list routes give per page. */
export const ARTICLES_PAGE_SIZE = 100;

/** One published article, for anyone signed in (drafts answer 404). */
export function fetchPublishedArticle(api: Api, id: number, signal?: AbortSignal): Promise<ArticleView> {
  return unwrap(api.client.GET('/api/kb/articles/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }));
}

/** Every article, drafts included, newest change first (admins). */
export function fetchAllArticles(api: Api, page: number, signal?: AbortSignal): Promise<ArticlesResponse> {
  return unwrap(
    api.client.GET('/api/admin/kb/articles', {
      params: { query: { page, pageSize: ARTICLES_PAGE_SIZE } },
      ...(signal ? { signal } : {}),
    }),
  );
}

/** One article, draft or not (admins). */
export function fetchAnyArticle(api: Api, id: number, signal?: AbortSignal): Promise<ArticleView> {
  return unwrap(
    api.client.GET('/api/admin/kb/articles/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }),
  );
}

export function createArticle(api: Api, body: ArticleRequest): Promise<Article> {
  return unwrap(api.client.POST('/api/admin/kb/articles', { body }));
}

export function updateArticle(api: Api, id: number, body: ArticleRequest): Promise<Article> {
  return unwrap(api.client.PUT('/api/admin/kb/articles/{id}', { params: { path: { id } }, body }));
}

export async function deleteArticle(api: Api, id: number): Promise<void> {
  await unwrap(api.client.DELETE('/api/admin/kb/articles/{id}', { params: { path: { id } } }));
}
