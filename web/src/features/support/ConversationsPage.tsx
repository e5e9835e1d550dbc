import { useInfiniteQuery } from '@tanstack/react-query';
import { Inbox, MessageSquarePlus } from 'lucide-react';
import { useSearchParams } from 'react-router';
import { useApi } from '../../api/ApiContext';
import type { ConversationStatus } from '../../api/support';
import { Button } from '../../ui/Button';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { ConversationList, ConversationListSkeleton } from './ConversationList';
import { conversationListQuery } from './conversationListQuery';
import { loadErrorText } from './errors';
import { SupportPresence } from './SupportPresence';
import styles from './ConversationsPage.module.css';

type Filter = ConversationStatus | 'all';

const FILTERS: { value: Filter; label: string; empty: string }[] = [
  { value: 'all', label: 'All', empty: '' },
  { value: 'open', label: 'Open', empty: 'No open conversations.' },
  { value: 'in_progress', label: 'In progress', empty: 'No conversations in progress.' },
  { value: 'closed', label: 'Closed', empty: 'No closed conversations.' },
];

function parseFilter(raw: string | null): Filter {
  return FILTERS.find((f) => f.value === raw)?.value ?? 'all';
}

/** `/support`: my conversations with the support team. */
export function ConversationsPage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const filter = parseFilter(params.get('status'));

  const query = useInfiniteQuery(conversationListQuery(api, filter));
  const conversations = query.data?.pages.flatMap((p) => p.conversations) ?? [];

  function chooseFilter(value: Filter) {
    setParams(value === 'all' ? {} : { status: value }, { replace: true });
  }

  let body;
  if (query.isPending) {
    body = <ConversationListSkeleton />;
  } else if (query.data === undefined) {
    body = (
      <EmptyState
        role="alert"
        title="Couldn't load your conversations"
        action={
          <Button variant="secondary" onClick={() => void query.refetch()} busy={query.isRefetching}>
            Try again
          </Button>
        }
      >
        {loadErrorText(query.error, 'your conversations')}
      </EmptyState>
    );
  } else if (conversations.length === 0) {
    body =
      filter === 'all' ? (
        <EmptyState
          icon={<Inbox size={24} />}
          title="No conversations yet"
          action={<ButtonLink to="/support/new">Start a conversation</ButtonLink>}
        >
          Ask us anything: a question, a problem, an idea. A person from our support team answers here.
        </EmptyState>
      ) : (
        <EmptyState icon={<Inbox size={24} />} title={FILTERS.find((f) => f.value === filter)?.empty ?? ''}>
          <button type="button" className={styles.linkButton} onClick={() => { chooseFilter('all'); }}>
            Show all conversations
          </button>
        </EmptyState>
      );
  } else {
    body = (
      <>
        <ConversationList conversations={conversations} />
        {query.hasNextPage && (
          <div className={styles.more}>
            <Button variant="secondary" busy={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              Show more
            </Button>
          </div>
        )}
        {query.isFetchNextPageError && (
          <p role="alert" className={styles.inlineError}>
            Couldn&apos;t load more conversations. Try again.
          </p>
        )}
      </>
    );
  }

  return (
    <>
      <title>Support · support-chat</title>
      <div className={styles.header}>
        <div>
          <h1 className={styles.title}>Support</h1>
          <SupportPresence />
        </div>
        <ButtonLink to="/support/new">
          <MessageSquarePlus size={18} aria-hidden="true" />
          New conversation
        </ButtonLink>
      </div>
      <div className={styles.filters} role="group" aria-label="Filter by status">
        {FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            className={styles.filter}
            aria-pressed={filter === f.value}
            onClick={() => { chooseFilter(f.value); }}
          >
            {f.label}
          </button>
        ))}
      </div>
      <section aria-label="Conversations" aria-busy={query.isPending}>
        {body}
      </section>
    </>
  );
}
