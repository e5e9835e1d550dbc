import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Bot } from 'lucide-react';
import { Link } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { updateConversation, type ConversationUpdate, type PersonRef } from '../../api/admin';
import type { ConversationSummary } from '../../api/support';
import { Button } from '../../ui/Button';
import { formatFull, formatListTime } from '../support/format';
import { StatusBadge } from '../support/StatusBadge';
import { showUpdatedConversation } from './cache';
import { actionErrorText } from './errors';
import { responseTime } from './format';
import { PriorityBadge } from './PriorityBadge';
import { AssigneeSelect } from './AssigneeSelect';
import styles from './QueueTable.module.css';

interface QueueTableProps {
  conversations: readonly ConversationSummary[];
  selected: ReadonlySet<number>;
  onToggle: (id: number) => void;
  admins: readonly PersonRef[];
  selfId: number;
  /** The queue's address, so a conversation's "Back to the queue" returns to the same view. */
  queueSearch: string;
  now: Date;
}

/** The queue: one row per conversation with its markers and quick actions. */
export function QueueTable({ conversations, selected, onToggle, admins, selfId, queueSearch, now }: QueueTableProps) {
  return (
    <table className={styles.table}>
      <caption className="visually-hidden">Conversations</caption>
      <thead>
        <tr>
          <th scope="col" className={styles.checkCol}>
            <span className="visually-hidden">Selected</span>
          </th>
          <th scope="col">Conversation</th>
          <th scope="col">Status</th>
          <th scope="col">Assignee</th>
          <th scope="col">Response</th>
          <th scope="col">Last activity</th>
        </tr>
      </thead>
      <tbody>
        {conversations.map((c) => (
          <QueueRow
            key={c.id}
            conversation={c}
            selected={selected.has(c.id)}
            onToggle={onToggle}
            admins={admins}
            selfId={selfId}
            queueSearch={queueSearch}
            now={now}
          />
        ))}
      </tbody>
    </table>
  );
}

interface QueueRowProps {
  conversation: ConversationSummary;
  selected: boolean;
  onToggle: (id: number) => void;
  admins: readonly PersonRef[];
  selfId: number;
  queueSearch: string;
  now: Date;
}

function QueueRow({ conversation: c, selected, onToggle, admins, selfId, queueSearch, now }: QueueRowProps) {
  const api = useApi();
  const queryClient = useQueryClient();
  const update = useMutation({
    mutationFn: (change: ConversationUpdate) => updateConversation(api, c.id, change),
    onSuccess: (updated) => {
      showUpdatedConversation(queryClient, updated);
    },
  });
  const change = (body: ConversationUpdate) => {
    update.mutate(body);
  };
  const pendingStatus = update.isPending ? update.variables.status : undefined;
  const unread = c.unreadCount > 0;
  const time = c.lastMessageAt ?? c.updatedAt;
  const response = responseTime(c, now);
  const rowClass = [styles.row, c.priority === 'urgent' ? styles.urgent : '', unread ? styles.unread : '']
    .filter(Boolean)
    .join(' ');

  return (
    <tr className={rowClass} data-priority={c.priority} aria-busy={update.isPending || undefined}>
      <td className={styles.checkCell}>
        <input
          type="checkbox"
          className={styles.checkbox}
          checked={selected}
          aria-label={`Select “${c.subject}”`}
          onChange={() => {
            onToggle(c.id);
          }}
        />
      </td>
      <th scope="row" className={styles.main}>
        <div className={styles.titleLine}>
          <PriorityBadge priority={c.priority} />
          <Link to={`/admin/support/${c.id}`} state={{ queue: queueSearch }} className={styles.subject}>
            {c.subject}
          </Link>
          {unread && (
            <span className={styles.unreadBadge}>
              {c.unreadCount > 99 ? '99+' : c.unreadCount} unread
            </span>
          )}
        </div>
        <p className={styles.who}>
          {c.user.name}
          {c.user.email && <span className={styles.email}> · {c.user.email}</span>}
          {c.type === 'ai_handoff' && (
            <span className={styles.handoff}>
              <Bot size={14} aria-hidden="true" /> From the assistant
            </span>
          )}
        </p>
        <p className={styles.preview}>{c.lastMessage ?? 'No messages yet'}</p>
        {c.tags.length > 0 && (
          <ul className={styles.tags} aria-label="Tags">
            {c.tags.map((t) => (
              <li key={t} className={styles.tag}>
                {t}
              </li>
            ))}
          </ul>
        )}
        {update.isError && (
          <p role="alert" className={styles.error}>
            Couldn&apos;t change “{c.subject}”: {actionErrorText(update.error)}
          </p>
        )}
      </th>
      <td className={styles.cell} data-label="Status">
        <div className={styles.stack}>
          <StatusBadge status={c.status} />
          <div className={styles.buttons}>
            {c.status === 'open' && (
              <Button variant="secondary" size="small" busy={pendingStatus === 'in_progress'} disabled={update.isPending} onClick={() => { change({ status: 'in_progress' }); }}>
                Mark in progress
              </Button>
            )}
            {(c.status === 'open' || c.status === 'in_progress') && (
              <Button variant="secondary" size="small" busy={pendingStatus === 'closed'} disabled={update.isPending} onClick={() => { change({ status: 'closed' }); }}>
                Close
              </Button>
            )}
            {c.status === 'closed' && (
              <Button variant="secondary" size="small" busy={pendingStatus === 'open'} disabled={update.isPending} onClick={() => { change({ status: 'open' }); }}>
                Reopen
              </Button>
            )}
          </div>
        </div>
      </td>
      <td className={styles.cell} data-label="Assignee">
        <div className={styles.stack}>
          <AssigneeSelect
            label="Assignee"
            hideLabel
            value={c.admin ?? null}
            admins={admins}
            selfId={selfId}
            disabled={update.isPending}
            onChange={(adminId) => { change({ adminId }); }}
          />
          {c.admin?.id !== selfId && (
            <Button variant="secondary" size="small" disabled={update.isPending} onClick={() => { change({ adminId: selfId }); }}>
              Assign to me
            </Button>
          )}
        </div>
      </td>
      <td className={styles.cell} data-label="Response">
        <span className={response.waiting ? styles.waiting : styles.muted}>{response.text}</span>
      </td>
      <td className={styles.cell} data-label="Last activity">
        <time className={styles.muted} dateTime={time} title={formatFull(time)}>
          {formatListTime(time, now)}
        </time>
      </td>
    </tr>
  );
}
