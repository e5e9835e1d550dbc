import { useInfiniteQuery } from '@tanstack/react-query';
import { BookOpen, FilePlus } from 'lucide-react';
import { useId, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { fetchAllArticles } from '../../api/knowledge';
import { knowledgeKeys } from '../../api/queryKeys';
import { Button } from '../../ui/Button';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { loadErrorText } from '../support/errors';
import { formatFull, formatListTime } from '../support/format';
import { matchesFilter } from './articleForm';
import { PageLoading } from './PageLoading';
import styles from './KnowledgeBasePage.module.css';

type StateFilter = 'all' | 'published' | 'draft';

const STATE_FILTERS: { value: StateFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'published', label: 'Published' },
  { value: 'draft', label: 'Drafts' },
];

/** A line the editor leaves for the list after saving or deleting ("Deleted “…”."). */
function useNotice(): string | null {
  const state: unknown = useLocation().state;
  if (typeof state === 'object' && state !== null && 'notice' in state && typeof state.notice === 'string') {
    return state.notice;
  }
  return null;
}

/** `/admin/knowledge-base`: every article, drafts included, with a filter and "New article". */
export function KnowledgeBasePage() {
  const api = useApi();
  const notice = useNotice();
  const filterId = useId();
  const [text, setText] = useState('');
  const [state, setState] = useState<StateFilter>('all');
  const query = useInfiniteQuery({
    queryKey: knowledgeKeys.adminLists(),
    queryFn: ({ pageParam, signal }) => fetchAllArticles(api, pageParam, signal),
    initialPageParam: 1,
    getNextPageParam: (last) => (last.pagination.hasMore ? last.pagination.page + 1 : undefined),
  });
  const articles = query.data?.pages.flatMap((p) => p.articles) ?? [];
  const total = query.data?.pages[0]?.pagination.total ?? 0;
  const shown = articles.filter(
    (a) => matchesFilter(a, text) && (state === 'all' || (state === 'published') === a.published),
  );
  const now = new Date();

  let body;
  if (query.isPending) {
    body = <PageLoading label="Loading the articles…" />;
  } else if (query.data === undefined) {
    body = (
      <EmptyState
        role="alert"
        title="Couldn't load the articles"
        action={
          <Button variant="secondary" onClick={() => void query.refetch()} busy={query.isRefetching}>
            Try again
          </Button>
        }
      >
        {loadErrorText(query.error, 'the articles')}
      </EmptyState>
    );
  } else if (articles.length === 0) {
    body = (
      <EmptyState
        icon={<BookOpen size={24} />}
        title="No articles yet"
        action={<ButtonLink to="/admin/knowledge-base/new">Write the first article</ButtonLink>}
      >
        The assistant answers from published articles. Write one, or load a folder of Markdown files with{' '}
        <code>support-chat kb import</code>.
      </EmptyState>
    );
  } else {
    body = (
      <>
        <div className={styles.toolbar} role="search">
          <div className={styles.search}>
            <label htmlFor={filterId} className={styles.label}>
              Filter articles
            </label>
            <input
              id={filterId}
              type="search"
              className={styles.input}
              placeholder="Title, slug or tag"
              value={text}
              onChange={(event) => {
                setText(event.target.value);
              }}
            />
          </div>
          <div className={styles.states} role="group" aria-label="Show">
            {STATE_FILTERS.map((f) => (
              <button
                key={f.value}
                type="button"
                className={styles.state}
                aria-pressed={state === f.value}
                onClick={() => {
                  setState(f.value);
                }}
              >
                {f.label}
              </button>
            ))}
          </div>
        </div>
        <p className={styles.count} role="status">
          {shown.length === articles.length
            ? `${total} ${total === 1 ? 'article' : 'articles'}`
            : `${shown.length} of ${articles.length} ${articles.length === 1 ? 'article' : 'articles'} shown`}
        </p>
        {shown.length === 0 ? (
          <EmptyState title="No articles match">Change the filter to see more articles.</EmptyState>
        ) : (
          <table className={styles.table}>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col" className={styles.tagsCol}>
                  Tags
                </th>
                <th scope="col">State</th>
                <th scope="col" className={styles.updatedCol}>
                  Updated
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => (
                <tr key={a.id} className={styles.row}>
                  <th scope="row" className={styles.titleCell}>
                    <Link to={`/admin/knowledge-base/${a.id}`} className={styles.title}>
                      {a.title}
                    </Link>
                    <span className={styles.slug}>{a.slug}</span>
                  </th>
                  <td className={styles.tagsCol}>
                    {a.tags.length === 0 ? (
                      <span className={styles.muted}>None</span>
                    ) : (
                      <ul className={styles.tags} aria-label="Tags">
                        {a.tags.map((t) => (
                          <li key={t} className={styles.tag}>
                            {t}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    <span className={a.published ? styles.published : styles.draft}>
                      {a.published ? 'Published' : 'Draft'}
                    </span>
                  </td>
                  <td className={styles.updatedCol}>
                    <time dateTime={a.updatedAt} title={formatFull(a.updatedAt)}>
                      {formatListTime(a.updatedAt, now)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {query.hasNextPage && (
          <div className={styles.more}>
            <Button variant="secondary" busy={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              Load more articles
            </Button>
          </div>
        )}
        {query.isFetchNextPageError && (
          <p role="alert" className={styles.error}>
            Couldn&apos;t load more articles. Try again.
          </p>
        )}
      </>
    );
  }

  return (
    <>
      <title>Knowledge base · Admin · support-chat</title>
      <div className={styles.header}>
        <div>
          <p className={styles.crumb}>
            <Link to="/admin">Admin</Link>
          </p>
          <h1 className={styles.pageTitle}>Knowledge base</h1>
          <p className={styles.lead}>
            The articles the assistant answers from and cites. Drafts are hidden from users and the assistant.
          </p>
        </div>
        <ButtonLink to="/admin/knowledge-base/new">
          <FilePlus size={18} aria-hidden="true" />
          New article
        </ButtonLink>
      </div>
      {notice !== null && (
        <p role="status" className={styles.notice}>
          {notice}
        </p>
      )}
      <section aria-label="Articles" aria-busy={query.isPending}>
        {body}
      </section>
    </>
  );
}
