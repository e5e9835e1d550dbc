import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowLeft, ExternalLink, Trash } from 'lucide-react';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { isApiError } from '../../api/client';
import {
  ARTICLE_BODY_MAX_CHARS,
  createArticle,
  deleteArticle,
  fetchAnyArticle,
  updateArticle,
  type Article,
  type ArticleRequest,
} from '../../api/knowledge';
import { knowledgeKeys } from '../../api/queryKeys';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { Prose } from '../../ui/Prose';
import { TextAreaField } from '../../ui/TextAreaField';
import { TextField } from '../../ui/TextField';
import { useFormSubmit } from '../auth/useFormSubmit';
import { loadErrorText } from '../support/errors';
import { formatFull } from '../support/format';
import { lengthHint } from '../support/limits';
import { ARTICLE_FIELDS, articleProblems, draftOf, EMPTY_DRAFT, isDirty, requestOf, type ArticleDraft } from './articleForm';
import { actionErrorText } from './errors';
import { PageLoading } from './PageLoading';
import styles from './ArticleEditorPage.module.css';

const LIST = '/admin/knowledge-base';

function parseId(raw: string | undefined): number | null {
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  return Number(raw);
}

/** `/admin/knowledge-base/new` and `/admin/knowledge-base/:id`: write or change an article. */
export function ArticleEditorPage() {
  const { id } = useParams();
  if (id === undefined) return <NewArticle />;
  const articleId = parseId(id);
  if (articleId === null) {
    return (
      <EmptyState title="Article not found" action={<ButtonLink to={LIST} variant="secondary">All articles</ButtonLink>}>
        There is no article at this address.
      </EmptyState>
    );
  }
  return <EditArticle key={articleId} articleId={articleId} />;
}

function Frame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className={styles.page}>
      <title>{`${title} · Knowledge base · Admin · support-chat`}</title>
      <Link to={LIST} className={styles.back}>
        <ArrowLeft size={16} aria-hidden="true" />
        All articles
      </Link>
      {children}
    </div>
  );
}

/** After a save: the lists, the article's rendered preview and what users read all change. */
function useRefreshArticles() {
  const queryClient = useQueryClient();
  return (article: Article) => {
    void queryClient.invalidateQueries({ queryKey: knowledgeKeys.adminArticle(article.id) });
    void queryClient.invalidateQueries({ queryKey: knowledgeKeys.adminLists() });
    void queryClient.invalidateQueries({ queryKey: knowledgeKeys.published(article.id) });
  };
}

function NewArticle() {
  const api = useApi();
  const navigate = useNavigate();
  const refresh = useRefreshArticles();
  return (
    <Frame title="New article">
      <h1 className={styles.title}>New article</h1>
      <p className={styles.lead}>
        Write in Markdown. Published articles are what users read and what the assistant answers from; a draft stays
        hidden until you publish it.
      </p>
      <div className={styles.card}>
        <ArticleForm
          initial={EMPTY_DRAFT}
          isNew
          submitLabel="Create article"
          onSubmit={async (request) => {
            const created = await createArticle(api, request);
            refresh(created);
            await navigate(LIST, { state: { notice: `Created “${created.title}”.` } });
          }}
        />
      </div>
    </Frame>
  );
}

function EditArticle({ articleId }: { articleId: number }) {
  const api = useApi();
  const refresh = useRefreshArticles();
  const article = useQuery({
    queryKey: knowledgeKeys.adminArticle(articleId),
    queryFn: ({ signal }) => fetchAnyArticle(api, articleId, signal),
    // The form is filled once; a background refetch must not overwrite what is being typed.
    refetchOnWindowFocus: false,
  });
  const [saved, setSaved] = useState<string | null>(null);

  if (article.isPending) {
    return (
      <Frame title="Article">
        <PageLoading label="Loading the article…" />
      </Frame>
    );
  }
  if (article.isError) {
    return (
      <Frame title="Article">
        <EmptyState
          role="alert"
          title="Couldn't open this article"
          action={
            isApiError(article.error, 404) ? undefined : (
              <Button variant="secondary" onClick={() => void article.refetch()} busy={article.isRefetching}>
                Try again
              </Button>
            )
          }
        >
          {isApiError(article.error, 404) ? 'This article does not exist. It may have been deleted.' : loadErrorText(article.error, 'article')}
        </EmptyState>
      </Frame>
    );
  }

  const a = article.data;
  return (
    <Frame title={a.title}>
      <div className={styles.heading}>
        <h1 className={styles.title}>Edit article</h1>
        <p className={styles.meta}>
          <span className={a.published ? styles.published : styles.draft}>{a.published ? 'Published' : 'Draft'}</span>
          <span>
            Updated <time dateTime={a.updatedAt}>{formatFull(a.updatedAt)}</time>
          </span>
          {a.published && (
            <Link to={`/help/articles/${a.id}`} className={styles.view}>
              <ExternalLink size={14} aria-hidden="true" />
              See it as users do
            </Link>
          )}
        </p>
      </div>
      {saved !== null && (
        <p role="status" className={styles.saved}>
          {saved}
        </p>
      )}
      <div className={styles.card}>
        <ArticleForm
          initial={draftOf(a)}
          isNew={false}
          submitLabel="Save changes"
          onEdit={() => {
            setSaved(null);
          }}
          onSubmit={async (request) => {
            const updated = await updateArticle(api, a.id, request);
            refresh(updated);
            setSaved(updated.published ? 'Saved. Users and the assistant see the new version.' : 'Saved as a draft.');
          }}
        />
      </div>
      <details className={styles.preview}>
        <summary className={styles.previewToggle}>Preview as users see it (the saved version)</summary>
        <Prose html={a.bodyHtml} className={styles.previewBody} />
      </details>
      <DeleteArticle article={a} />
    </Frame>
  );
}

interface ArticleFormProps {
  initial: ArticleDraft;
  isNew: boolean;
  submitLabel: string;
  /** Sends the article; rejects with `ApiError` (field errors land on their fields). */
  onSubmit: (request: ArticleRequest) => Promise<void>;
  onEdit?: () => void;
}

function ArticleForm({ initial, isNew, submitLabel, onSubmit, onEdit }: ArticleFormProps) {
  const [draft, setDraft] = useState(initial);
  const [base, setBase] = useState(initial);
  const { submitting, errors, submit, clearField } = useFormSubmit(ARTICLE_FIELDS);
  const publishedId = useId();
  const dirty = isDirty(draft, base);

  function change<K extends keyof ArticleDraft>(field: K, value: ArticleDraft[K]) {
    setDraft((d) => ({ ...d, [field]: value }));
    clearField(field);
    onEdit?.();
  }

  return (
    <form
      className={styles.form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit(event.currentTarget, articleProblems(draft), async () => {
          await onSubmit(requestOf(draft));
          setBase(draft);
        });
      }}
    >
      {errors.general && <Alert>{errors.general}</Alert>}
      <TextField
        label="Title"
        name="title"
        autoComplete="off"
        value={draft.title}
        error={errors.fields.title}
        onChange={(event) => {
          change('title', event.target.value);
        }}
      />
      <TextField
        label="Slug"
        name="slug"
        autoComplete="off"
        spellCheck={false}
        value={draft.slug}
        hint={
          isNew
            ? 'Optional: the stable key kb import updates by. Left empty, it is made from the title.'
            : 'The stable key kb import updates by. Left empty, it stays as it is.'
        }
        error={errors.fields.slug}
        onChange={(event) => {
          change('slug', event.target.value);
        }}
      />
      <TextField
        label="Tags"
        name="tags"
        autoComplete="off"
        value={draft.tags}
        hint="Separated by commas, e.g. billing, invoices. They help the assistant find the article."
        error={errors.fields.tags}
        onChange={(event) => {
          change('tags', event.target.value);
        }}
      />
      <TextAreaField
        label="Body (Markdown)"
        name="body"
        rows={16}
        value={draft.body}
        hint={`Headings (#) start the sections the assistant quotes from. ${lengthHint(draft.body, ARTICLE_BODY_MAX_CHARS)}`}
        error={errors.fields.body}
        onChange={(event) => {
          change('body', event.target.value);
        }}
      />
      <div className={styles.check}>
        <input
          id={publishedId}
          type="checkbox"
          name="published"
          checked={draft.published}
          aria-describedby={`${publishedId}-hint`}
          onChange={(event) => {
            change('published', event.target.checked);
          }}
        />
        <label htmlFor={publishedId}>Published</label>
        <p id={`${publishedId}-hint`} className={styles.checkHint}>
          Users and the assistant see published articles only.
        </p>
        {errors.fields.published && <p className={styles.error}>{errors.fields.published}</p>}
      </div>
      <div className={styles.actions}>
        <ButtonLink to={LIST} variant="secondary">
          {isNew || !dirty ? 'Back to the list' : 'Discard changes'}
        </ButtonLink>
        <Button type="submit" busy={submitting} disabled={!isNew && !dirty}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/** "Delete article", then a confirmation naming it before anything is deleted. */
function DeleteArticle({ article }: { article: Article }) {
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const remove = useMutation({
    mutationFn: () => deleteArticle(api, article.id),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: knowledgeKeys.adminArticle(article.id) });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.adminLists() });
      await navigate(LIST, { state: { notice: `Deleted “${article.title}”.` } });
    },
  });

  // The confirmation takes the focus; cancelling gives it back to "Delete article".
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      deleteRef.current?.focus();
    }
  }, [confirming]);

  return (
    <section className={styles.danger} aria-labelledby="delete-article-title">
      <h2 id="delete-article-title" className={styles.dangerTitle}>
        Delete this article
      </h2>
      {confirming ? (
        <div role="alertdialog" aria-labelledby="delete-confirm-text" className={styles.confirm}>
          <p id="delete-confirm-text">
            Delete “{article.title}” for good? Users can no longer open it and the assistant stops citing it.
          </p>
          <div className={styles.confirmActions}>
            <Button
              ref={cancelRef}
              variant="secondary"
              disabled={remove.isPending}
              onClick={() => {
                returnFocus.current = true;
                setConfirming(false);
                remove.reset();
              }}
            >
              Cancel
            </Button>
            <Button className={styles.dangerButton} busy={remove.isPending} onClick={() => { remove.mutate(); }}>
              Yes, delete it
            </Button>
          </div>
          {remove.isError && (
            <p role="alert" className={styles.error}>
              Couldn&apos;t delete the article: {actionErrorText(remove.error)}
            </p>
          )}
        </div>
      ) : (
        <>
          <p className={styles.muted}>To hide it for a while instead, untick Published and save.</p>
          <Button
            ref={deleteRef}
            variant="secondary"
            className={styles.deleteButton}
            onClick={() => {
              setConfirming(true);
            }}
          >
            <Trash size={16} aria-hidden="true" />
            Delete article
          </Button>
        </>
      )}
    </section>
  );
}
