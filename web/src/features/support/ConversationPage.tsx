import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ArrowLeft } from 'lucide-react';
import { Link, useParams } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { isApiError } from '../../api/client';
import { supportKeys } from '../../api/queryKeys';
import { setConversationStatus, type Conversation, type ConversationDetails } from '../../api/support';
import { Button } from '../../ui/Button';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { ConnectionIndicator } from './ConnectionIndicator';
import { loadErrorText } from './errors';
import { PRIORITY_LABELS } from './format';
import { ConversationThreadPanel } from './ConversationThreadPanel';
import { StatusBadge } from './StatusBadge';
import { SupportPresence } from './SupportPresence';
import { useConversationThread } from './useConversationThread';
import styles from './ConversationPage.module.css';

function parseId(raw: string | undefined): number | null {
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  return Number(raw);
}

/** `/support/:id`. */
export function ConversationPage() {
  const { id } = useParams();
  const conversationId = parseId(id);
  if (conversationId === null) return <ConversationMissing />;
  // A new id is a new page: no state carries over from the previous conversation.
  return <ConversationView key={conversationId} conversationId={conversationId} />;
}

function ConversationMissing() {
  return (
    <EmptyState
      title="Conversation not found"
      action={<ButtonLink to="/support" variant="secondary">All conversations</ButtonLink>}
    >
      This conversation doesn&apos;t exist, or it isn&apos;t yours.
    </EmptyState>
  );
}

function ConversationView({ conversationId }: { conversationId: number }) {
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
              <ButtonLink to="/support" variant="secondary">
                All conversations
              </ButtonLink>
              {!isApiError(details.error, 404) && (
                <Button onClick={() => void details.refetch()} busy={details.isRefetching}>
                  Try again
                </Button>
              )}
            </div>
          }
        >
          {loadErrorText(details.error, 'conversation')}
        </EmptyState>
      </>
    );
  }

  const conversation = details.data.conversation;
  const messages = thread?.messages ?? [];

  return (
    <div className={styles.page} data-fill-viewport="">
      <title>{`${conversation.subject} · support-chat`}</title>
      <ConversationHeader
        conversation={conversation}
        answered={messages.some((m) => m.senderType === 'admin')}
      />
      <ConversationThreadPanel
        conversationId={conversationId}
        thread={thread}
        older={older}
        loadOlder={loadOlder}
        note={conversation.status === 'closed' ? 'This conversation is closed. Sending a message reopens it.' : null}
      />
    </div>
  );
}

function ConversationHeader({ conversation, answered }: { conversation: Conversation; answered: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const closed = conversation.status === 'closed';
  const toggle = useMutation({
    mutationFn: () => setConversationStatus(api, conversation.id, closed ? 'open' : 'closed'),
    onSuccess: (updated) => {
      queryClient.setQueryData<ConversationDetails>(supportKeys.conversation(conversation.id), (data) =>
        data === undefined ? data : { ...data, conversation: updated },
      );
      void queryClient.invalidateQueries({ queryKey: supportKeys.lists() });
    },
  });

  return (
    <header className={styles.header}>
      <Link to="/support" className={styles.back}>
        <ArrowLeft size={18} aria-hidden="true" />
        <span className={styles.backText}>All conversations</span>
      </Link>
      <div className={styles.heading}>
        <h1 className={styles.subject}>{conversation.subject}</h1>
        <div className={styles.meta}>
          <StatusBadge status={conversation.status} />
          {(conversation.priority === 'high' || conversation.priority === 'urgent') && (
            <span className={`${styles.priority} ${styles[conversation.priority]}`}>
              {PRIORITY_LABELS[conversation.priority]} priority
            </span>
          )}
          {conversation.admin ? (
            <span>{conversation.admin.name} is helping you</span>
          ) : (
            !answered && <span>Waiting for a support agent</span>
          )}
          <SupportPresence />
        </div>
      </div>
      <div className={styles.side}>
        <ConnectionIndicator />
        {conversation.status !== 'transferred' && (
          <Button variant="secondary" size="small" busy={toggle.isPending} onClick={() => { toggle.mutate(); }}>
            {closed ? 'Reopen' : 'Close conversation'}
          </Button>
        )}
        {toggle.isError && (
          <p role="alert" className={styles.toggleError}>
            {closed ? "Couldn't reopen it." : "Couldn't close it."} Try again.
          </p>
        )}
      </div>
    </header>
  );
}
