import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowLeft, Bot, Pencil } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { bulkUpdate, TAG_MAX_CHARS, updateConversation, type ConversationUpdate, type PersonRef } from '../../api/admin';
import { isApiError } from '../../api/client';
import type { Conversation } from '../../api/support';
import { supportKeys } from '../../api/queryKeys';
import { Button } from '../../ui/Button';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { useCurrentUser } from '../auth/AuthContext';
import { ConnectionIndicator } from '../support/ConnectionIndicator';
import { ConversationThreadPanel } from '../support/ConversationThreadPanel';
import { loadErrorText } from '../support/errors';
import { formatFull, PRIORITY_LABELS, STATUS_LABELS } from '../support/format';
import { subjectProblem } from '../support/limits';
import { StatusBadge } from '../support/StatusBadge';
import { useConversationThread } from '../support/useConversationThread';
import { AssigneeSelect } from './AssigneeSelect';
import { refreshQueue, showUpdatedConversation } from './cache';
import { actionErrorText } from './errors';
import { PRIORITY_VALUES, STATUS_VALUES } from './filters';
import { formatDuration } from './format';
import { parseHandoffContext } from './handoffContext';
import { HandoffContextPanel } from './HandoffContextPanel';
import { PriorityBadge } from './PriorityBadge';
import { adminsQueryOptions } from './queries';
import styles from './AdminConversationPage.module.css';

function parseId(raw: string | undefined): number | null {
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  return Number(raw);
}

/** Where "Back to the queue" goes: the queue view this page was opened from. */
function useQueueHref(): string {
  const location = useLocation();
  const state: unknown = location.state;
  if (typeof state === 'object' && state !== null && 'queue' in state && typeof state.queue === 'string' && state.queue.startsWith('?')) {
    return `/admin/support${state.queue}`;
  }
  return '/admin/support';
}

/** `/admin/support/:id`: one conversation with the admin's controls. */
export function AdminConversationPage() {
  const { id } = useParams();
  const conversationId = parseId(id);
  const queueHref = useQueueHref();
  if (conversationId === null) {
    return (
      <EmptyState title="Conversation not found" action={<ButtonLink to={queueHref} variant="secondary">Back to the queue</ButtonLink>}>
        There is no conversation at this address.
      </EmptyState>
    );
  }
  return <AdminConversationView key={conversationId} conversationId={conversationId} queueHref={queueHref} />;
}

function AdminConversationView({ conversationId, queueHref }: { conversationId: number; queueHref: string }) {
  const { details, thread, loadOlder, older } = useConversationThread(conversationId);

  if (details.isPending) {
    return (
      <div className={styles.page} data-fill-viewport="">
        <title>Conversation · support-chat</title>
        <div role="status" className={styles.loading}>
          <span className={styles.spinner} aria-hidden="true" />
          Loading the conversation…
        </div>
      </div>
    );
  }
  if (details.isError) {
    return (
      <>
        <title>Conversation · support-chat</title>
        <EmptyState
          role="alert"
          title="Couldn't open this conversation"
          action={
            <div className={styles.errorActions}>
              <ButtonLink to={queueHref} variant="secondary">
                Back to the queue
              </ButtonLink>
              {!isApiError(details.error, 404) && (
                <Button onClick={() => void details.refetch()} busy={details.isRefetching}>
                  Try again
                </Button>
              )}
            </div>
          }
        >
          {isApiError(details.error, 404) ? 'This conversation does not exist.' : loadErrorText(details.error, 'conversation')}
        </EmptyState>
      </>
    );
  }

  const conversation = details.data.conversation;
  let note: string | null = null;
  if (conversation.status === 'closed') note = 'This conversation is closed. Replying does not reopen it: set the status to reopen it.';
  else if (conversation.status === 'transferred') note = 'This conversation was transferred or merged into another one.';

  const context = conversation.type === 'ai_handoff' ? parseHandoffContext(conversation.context) : null;

  return (
    <div className={styles.page} data-fill-viewport="">
      <title>{`${conversation.subject} · Admin · support-chat`}</title>
      <AdminConversationHeader conversation={conversation} queueHref={queueHref} />
      <div className={`${styles.threadArea} ${context ? styles.withContext : ''}`}>
        {context && <HandoffContextPanel context={context} />}
        <ConversationThreadPanel conversationId={conversationId} thread={thread} older={older} loadOlder={loadOlder} note={note} />
      </div>
    </div>
  );
}

function AdminConversationHeader({ conversation: c, queueHref }: { conversation: Conversation; queueHref: string }) {
  const api = useApi();
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const admins = useQuery(adminsQueryOptions(api));
  const update = useMutation({
    mutationFn: (change: ConversationUpdate) => updateConversation(api, c.id, change),
    onSuccess: (updated) => {
      showUpdatedConversation(queryClient, updated);
    },
  });
  const change = (body: ConversationUpdate) => {
    update.mutate(body);
  };

  return (
    <header className={styles.header}>
      <Link to={queueHref} className={styles.back}>
        <ArrowLeft size={18} aria-hidden="true" />
        <span className={styles.backText}>Back to the queue</span>
      </Link>
      <div className={styles.heading}>
        <SubjectEditor conversation={c} />
        <div className={styles.meta}>
          <StatusBadge status={c.status} />
          <PriorityBadge priority={c.priority} />
          {c.type === 'ai_handoff' && (
            <span className={styles.handoff}>
              <Bot size={14} aria-hidden="true" /> From the assistant
            </span>
          )}
          <span>
            From <strong className={styles.person}>{c.user.name}</strong>
            {c.user.email && (
              <>
                {' '}
                <a href={`mailto:${c.user.email}`} className={styles.email}>
                  {c.user.email}
                </a>
              </>
            )}
          </span>
          <span>
            Opened <time dateTime={c.createdAt}>{formatFull(c.createdAt)}</time>
          </span>
          <span>{c.firstResponseMs == null ? 'No reply yet' : `First reply in ${formatDuration(c.firstResponseMs)}`}</span>
          {c.archivedAt && <span className={styles.archived}>Archived</span>}
        </div>
        <TagEditor conversation={c} />
      </div>
      <div className={styles.controls} role="group" aria-label="Conversation settings">
        <label className={styles.field}>
          <span className={styles.label}>Status</span>
          <select
            className={styles.select}
            value={c.status}
            disabled={update.isPending}
            onChange={(event) => {
              const status = STATUS_VALUES.find((s) => s === event.target.value);
              if (status) change({ status });
            }}
          >
            {STATUS_VALUES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.field}>
          <span className={styles.label}>Priority</span>
          <select
            className={styles.select}
            value={c.priority}
            disabled={update.isPending}
            onChange={(event) => {
              const priority = PRIORITY_VALUES.find((p) => p === event.target.value);
              if (priority) change({ priority });
            }}
          >
            {PRIORITY_VALUES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
        <div className={styles.assign}>
          <AssigneeSelect
            label="Assignee"
            value={c.admin ?? null}
            admins={admins.data ?? ([] as PersonRef[])}
            selfId={user.id}
            disabled={update.isPending}
            onChange={(adminId) => { change({ adminId }); }}
          />
          {c.admin?.id !== user.id && (
            <Button variant="secondary" size="small" disabled={update.isPending} onClick={() => { change({ adminId: user.id }); }}>
              Assign to me
            </Button>
          )}
        </div>
        <ConnectionIndicator />
      </div>
      {update.isError && (
        <p role="alert" className={styles.error}>
          Couldn&apos;t save the change: {actionErrorText(update.error)}
        </p>
      )}
    </header>
  );
}

/** The subject as a heading, with an "Edit subject" form. */
function SubjectEditor({ conversation: c }: { conversation: Conversation }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(c.subject);
  const [problem, setProblem] = useState<string | null>(null);
  // Closing the form puts the focus back on "Edit subject" instead of losing it.
  const editButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);
  const close = () => {
    refocus.current = true;
    setEditing(false);
  };
  const save = useMutation({
    mutationFn: (subject: string) => updateConversation(api, c.id, { subject }),
    onSuccess: (updated) => {
      showUpdatedConversation(queryClient, updated);
      close();
    },
  });

  if (!editing) {
    return (
      <div className={styles.subjectLine}>
        <h1 className={styles.subject}>{c.subject}</h1>
        <button
          ref={editButton}
          type="button"
          className={styles.iconButton}
          aria-label="Edit subject"
          title="Edit subject"
          onClick={() => {
            setDraft(c.subject);
            setProblem(null);
            save.reset();
            setEditing(true);
          }}
        >
          <Pencil size={16} aria-hidden="true" />
        </button>
      </div>
    );
  }

  const error = problem ?? (save.isError ? actionErrorText(save.error) : null);
  return (
    <form
      className={styles.subjectForm}
      onSubmit={(event) => {
        event.preventDefault();
        const p = subjectProblem(draft);
        if (p !== undefined) {
          setProblem(p);
          return;
        }
        save.mutate(draft.trim());
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Subject
      </label>
      <input
        id={id}
        className={styles.subjectInput}
        value={draft}
        // The form only exists because the admin asked to edit: the box takes the focus.
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => {
          setDraft(event.target.value);
          setProblem(null);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') close();
        }}
      />
      <div className={styles.subjectActions}>
        <Button type="submit" size="small" busy={save.isPending}>
          Save subject
        </Button>
        <Button variant="secondary" size="small" disabled={save.isPending} onClick={close}>
          Cancel
        </Button>
      </div>
      {error && (
        <p id={`${id}-error`} role="alert" className={styles.error}>
          {error}
        </p>
      )}
    </form>
  );
}

/** The conversation's tags and a box to add one (tags cannot be removed yet). */
function TagEditor({ conversation: c }: { conversation: Conversation }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: (tag: string) => bulkUpdate(api, [c.id], { action: 'tag', tags: [tag] }),
    onSuccess: () => {
      setText('');
      void queryClient.invalidateQueries({ queryKey: supportKeys.conversation(c.id) });
      refreshQueue(queryClient);
    },
  });
  const tag = text.trim().toLowerCase();

  return (
    <div className={styles.tagsRow}>
      {c.tags.length > 0 ? (
        <ul className={styles.tags} aria-label="Tags">
          {c.tags.map((t) => (
            <li key={t} className={styles.tag}>
              {t}
            </li>
          ))}
        </ul>
      ) : (
        <span className={styles.noTags}>No tags</span>
      )}
      <form
        className={styles.tagForm}
        onSubmit={(event) => {
          event.preventDefault();
          if (tag === '' || c.tags.includes(tag)) return;
          add.mutate(tag);
        }}
      >
        <label htmlFor={id} className="visually-hidden">
          New tag
        </label>
        <input
          id={id}
          className={styles.tagInput}
          placeholder="Add a tag"
          maxLength={TAG_MAX_CHARS}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            add.reset();
          }}
        />
        <Button type="submit" variant="secondary" size="small" busy={add.isPending} disabled={tag === ''}>
          Add tag
        </Button>
      </form>
      {add.isError && (
        <p role="alert" className={styles.error}>
          Couldn&apos;t add the tag: {actionErrorText(add.error)}
        </p>
      )}
    </div>
  );
}
