import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useConnectionStatus, useRealtime } from '../../realtime/RealtimeContext';
import { newestIncomingId } from '../../realtime/threadReducer';
import { TypingNotifier } from '../../realtime/typingNotifier';
import type { Thread, ThreadMessage } from '../../realtime/types';
import { useCurrentUser } from '../auth/AuthContext';
import { loadErrorText } from './errors';
import { MessageComposer } from './MessageComposer';
import { MessageThread } from './MessageThread';
import type { OlderState } from './useConversationThread';
import styles from './ConversationThreadPanel.module.css';

function subscribeVisibility(onChange: () => void) {
  document.addEventListener('visibilitychange', onChange);
  return () => {
    document.removeEventListener('visibilitychange', onChange);
  };
}

/** Whether the tab is in front (read receipts wait until it is). */
function usePageVisible(): boolean {
  return useSyncExternalStore(subscribeVisibility, () => document.visibilityState === 'visible');
}

interface ConversationThreadPanelProps {
  conversationId: number;
  thread: Thread | undefined;
  older: OlderState;
  loadOlder: () => Promise<void>;
  /** A line above the composer (the conversation is closed…), unless being offline matters more. */
  note?: string | null;
}

/**
 * One conversation's live thread and composer, as the end user and the admin both see it:
 * typing signals, read receipts while the newest message is in view, retry of failed sends.
 */
export function ConversationThreadPanel({ conversationId, thread, older, loadOlder, note = null }: ConversationThreadPanelProps) {
  const user = useCurrentUser();
  const { client } = useRealtime();
  const connection = useConnectionStatus();
  const [atBottom, setAtBottom] = useState(true);
  const visible = usePageVisible();

  const notifier = useMemo(
    () => new TypingNotifier((isTyping) => { client.setTyping(conversationId, isTyping); }),
    [client, conversationId],
  );
  useEffect(() => () => { notifier.stop(); }, [notifier]);

  // Read receipts: the reader sees the newest message when the tab is in front and the thread
  // is scrolled to the end.
  const newestIncoming = newestIncomingId(thread, user.id);
  useEffect(() => {
    if (atBottom && visible && newestIncoming > 0) client.markRead(conversationId, newestIncoming);
  }, [client, conversationId, atBottom, visible, newestIncoming]);

  const messages = thread?.messages ?? [];
  const waiting = messages.some((m) => m.senderId === user.id && m.status === 'sending');
  const senderType = user.role === 'admin' ? 'admin' : 'user';
  let shownNote = note;
  if (connection !== 'connected' && waiting) {
    shownNote = 'Not connected. Your messages will be sent when the connection is back.';
  }

  return (
    <section className={styles.thread} aria-label="Conversation">
      <MessageThread
        messages={messages}
        selfId={user.id}
        connection={connection}
        typing={thread?.typing ?? []}
        hasOlder={thread?.hasOlder ?? false}
        olderLoading={older.loading}
        olderError={older.error === null ? null : loadErrorText(older.error, 'older messages')}
        onLoadOlder={() => void loadOlder()}
        onRetry={(m: ThreadMessage) => {
          if (m.clientMessageId !== null) client.retry(conversationId, m.clientMessageId);
        }}
        onDiscard={(m: ThreadMessage) => {
          if (m.clientMessageId !== null) client.discard(conversationId, m.clientMessageId);
        }}
        onAtBottomChange={setAtBottom}
      />
      <MessageComposer
        note={shownNote === null ? null : <p className={styles.note}>{shownNote}</p>}
        onSend={(content) => {
          client.send(conversationId, content, { name: user.name, type: senderType });
        }}
        onTyping={() => { notifier.input(); }}
        onStopTyping={() => { notifier.stop(); }}
      />
    </section>
  );
}
