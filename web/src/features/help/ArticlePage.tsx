import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, BookOpen } from 'lucide-react';
import { Link, useLocation, useParams } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { isApiError } from '../../api/client';
import { fetchPublishedArticle } from '../../api/knowledge';
import { knowledgeKeys } from '../../api/queryKeys';
import { Button } from '../../ui/Button';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { Prose } from '../../ui/Prose';
import { loadErrorText } from '../support/errors';
import { formatFull } from '../support/format';
import styles from './ArticlePage.module.css';

function parseId(raw: string | undefined): number | null {
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  return Number(raw);
}

function NotFound() {
  return (
    <EmptyState
      icon={<BookOpen size={24} />}
      title="Article not found"
      action={
        <ButtonLink to="/assistant" variant="secondary">
          Ask the assistant
        </ButtonLink>
      }
    >
      This help article doesn&apos;t exist or is no longer published.
    </EmptyState>
  );
}

/** Where "Back" goes: the assistant chat the article was opened from, or the assistant. */
function useBackPath(): string {
  const state: unknown = useLocation().state;
  if (typeof state === 'object' && state !== null && 'back' in state && typeof state.back === 'string' && state.back.startsWith('/assistant')) {
    return state.back;
  }
  return '/assistant';
}

/** `/help/articles/:id`: a published help article, as the assistant's answers cite it. */
export function ArticlePage() {
  const { id } = useParams();
  const back = useBackPath();
  const articleId = parseId(id);
  const api = useApi();
  const article = useQuery({
    queryKey: knowledgeKeys.published(articleId ?? 0),
    queryFn: ({ signal }) => fetchPublishedArticle(api, articleId ?? 0, signal),
    enabled: articleId !== null,
  });

  let body;
  if (articleId === null || isApiError(article.error, 404)) {
    body = <NotFound />;
  } else if (article.isPending) {
    body = (
      <div role="status" className={styles.loading}>
        <span className={styles.spinner} aria-hidden="true" />
        Loading the article…
      </div>
    );
  } else if (article.isError) {
    body = (
      <EmptyState
        role="alert"
        title="Couldn't load the article"
        action={
          <Button variant="secondary" onClick={() => void article.refetch()} busy={article.isRefetching}>
            Try again
          </Button>
        }
      >
        {loadErrorText(article.error, 'article')}
      </EmptyState>
    );
  } else {
    const a = article.data;
    body = (
      <article className={styles.article} aria-labelledby="article-title">
        <header className={styles.header}>
          <h1 id="article-title" className={styles.title}>
            {a.title}
          </h1>
          <p className={styles.meta}>
            Updated <time dateTime={a.updatedAt}>{formatFull(a.updatedAt)}</time>
          </p>
          {a.tags.length > 0 && (
            <ul className={styles.tags} aria-label="Tags">
              {a.tags.map((t) => (
                <li key={t} className={styles.tag}>
                  {t}
                </li>
              ))}
            </ul>
          )}
        </header>
        <Prose html={a.bodyHtml} />
      </article>
    );
  }

  return (
    <div className={styles.page}>
      <title>{article.data ? `${article.data.title} · Help · support-chat` : 'Help article · support-chat'}</title>
      <Link to={back} className={styles.back}>
        <ArrowLeft size={16} aria-hidden="true" />
        Back to the assistant
      </Link>
      {body}
    </div>
  );
}
