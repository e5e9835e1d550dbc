import { useQuery } from '@tanstack/react-query';
import { Bot, PanelLeft, MessageSquarePlus, UserRound } from 'lucide-react';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, useNavigate, useParams } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { fetchAssistantSessions } from '../../api/assistant';
import { isApiError } from '../../api/client';
import { assistantKeys } from '../../api/queryKeys';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { useAuth } from '../auth/AuthContext';
import { MessageComposer } from '../support/MessageComposer';
import { loadErrorText } from '../support/errors';
import { formatFull, formatListTime } from '../support/format';
import { AssistantThread } from './AssistantThread';
import { handoffErrorText } from './errors';
import { canAsk, hasQuestion } from './threadState';
import { useAssistantChat } from './useAssistantChat';
import { useHandoff } from './useHandoff';
import styles from './AssistantPage.module.css';

function parseId(raw: string | undefined): number | null | 'invalid' {
  if (raw === undefined) return null;
  if (!/^[1-9]\d{0,15}$/.test(raw)) return 'invalid';
  return Number(raw);
}

/**
 * `/assistant` (a new chat) and `/assistant/:sessionId`: the person's chats with the AI
 * assistant beside the open one. One route for both, so that a new chat keeps streaming its
 * first answer while the address changes to the chat it became.
 */
export function AssistantPage() {
  const params = useParams();
  const urlId = parseId(params.sessionId);
  const navigate = useNavigate();
  const listId = useId();
  const [newChats, setNewChats] = useState(0);
  // The new chat that got this id keeps its key: it is the same chat, still on screen.
  const [adopted, setAdopted] = useState<{ id: number; key: string } | null>(null);
  const [listOpen, setListOpen] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);

  let chatKey = `new-${newChats}`;
  if (typeof urlId === 'number') chatKey = adopted?.id === urlId ? adopted.key : `chat-${urlId}`;

  function startNewChat() {
    setNewChats((n) => n + 1);
    setListOpen(false);
    void navigate('/assistant');
  }

  return (
    <div className={styles.page} data-fill-viewport="">
      <title>Assistant · support-chat</title>
      <ChatList
        id={listId}
        open={listOpen}
        onNewChat={startNewChat}
        onChoose={() => {
          setListOpen(false);
        }}
        onClose={() => {
          setListOpen(false);
          toggleRef.current?.focus();
        }}
      />
      <div className={styles.main}>
        {urlId === 'invalid' ? (
          <EmptyState
            title="Chat not found"
            action={
              <ButtonLink to="/assistant" variant="secondary">
                Start a new chat
              </ButtonLink>
            }
          >
            There is no assistant chat at this address.
          </EmptyState>
        ) : (
          <AssistantChat
            key={chatKey}
            sessionId={urlId}
            listToggle={
              <button
                ref={toggleRef}
                type="button"
                className={styles.listToggle}
                aria-expanded={listOpen}
                aria-controls={listId}
                onClick={() => {
                  setListOpen((open) => !open);
                }}
              >
                <PanelLeft size={18} aria-hidden="true" />
                <span className="visually-hidden">Your chats</span>
              </button>
            }
            onCreated={(id) => {
              setAdopted({ id, key: chatKey });
              void navigate(`/assistant/${id}`, { replace: true });
            }}
          />
        )}
      </div>
    </div>
  );
}

interface ChatListProps {
  id: string;
  /** Shown over the chat on a narrow screen. */
  open: boolean;
  onNewChat: () => void;
  onChoose: () => void;
  /** Escape: close the list opened over the chat. */
  onClose: () => void;
}

/** The person's assistant chats, newest first, and "New chat". */
function ChatList({ id, open, onNewChat, onChoose, onClose }: ChatListProps) {
  const api = useApi();
  const newChatRef = useRef<HTMLButtonElement>(null);
  // Opened over the chat (narrow screens): the focus goes into it.
  useEffect(() => {
    if (open) newChatRef.current?.focus();
  }, [open]);
  const sessions = useQuery({
    queryKey: assistantKeys.sessions(),
    queryFn: ({ signal }) => fetchAssistantSessions(api, signal),
  });
  const now = new Date();

  let body;
  if (sessions.isPending) {
    body = (
      <p role="status" className={styles.listNote}>
        Loading your chats…
      </p>
    );
  } else if (sessions.isError) {
    body = (
      <div role="alert" className={styles.listNote}>
        <p>{loadErrorText(sessions.error, 'your chats')}</p>
        <button type="button" className={styles.linkButton} onClick={() => void sessions.refetch()}>
          Try again
        </button>
      </div>
    );
  } else if (sessions.data.length === 0) {
    body = <p className={styles.listNote}>No chats yet. Your questions to the assistant are kept here.</p>;
  } else {
    body = (
      <ul className={styles.chats}>
        {sessions.data.map((s) => (
          <li key={s.id}>
            <NavLink to={`/assistant/${s.id}`} className={styles.chat} onClick={onChoose}>
              <span className={styles.chatTitle}>{s.title}</span>
              <span className={styles.chatMeta}>
                <time dateTime={s.updatedAt} title={formatFull(s.updatedAt)}>
                  {formatListTime(s.updatedAt, now)}
                </time>
                {s.handoffConversationId != null && (
                  <span className={styles.handedTag}>
                    <UserRound size={12} aria-hidden="true" /> Handed to a person
                  </span>
                )}
              </span>
            </NavLink>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <nav
      id={id}
      aria-label="Assistant chats"
      className={styles.sidebar}
      data-open={open}
      onKeyDown={(event) => {
        if (open && event.key === 'Escape') onClose();
      }}
    >
      <Button ref={newChatRef} variant="secondary" block onClick={onNewChat}>
        <MessageSquarePlus size={18} aria-hidden="true" />
        New chat
      </Button>
      <h2 className={styles.listTitle}>Your chats</h2>
      {body}
    </nav>
  );
}

interface AssistantChatProps {
  sessionId: number | null;
  /** The button that opens the chat list on a narrow screen. */
  listToggle: ReactNode;
  onCreated: (id: number) => void;
}

/** One chat: its header with "Talk to a human", the turns, and the question box. */
function AssistantChat({ sessionId, listToggle, onCreated }: AssistantChatProps) {
  const { state: auth } = useAuth();
  const chat = useAssistantChat({ sessionId, onCreated });
  const { state, details } = chat;
  const session = details.data?.session;
  const flagOn = auth.status !== 'signedIn' || auth.features.ai_handoff !== false;
  const handoff = useHandoff({
    sessionId: hasQuestion(state) ? chat.sessionId : null,
    available: state.handoffAvailable ?? flagOn,
  });

  let thread;
  if (sessionId !== null && !state.loaded && details.isPending) {
    thread = (
      <div role="status" className={styles.loading}>
        <span className={styles.spinner} aria-hidden="true" />
        Loading the chat…
      </div>
    );
  } else if (sessionId !== null && !state.loaded && details.isError) {
    thread = (
      <EmptyState
        role="alert"
        title="Couldn't open this chat"
        action={
          isApiError(details.error, 404) ? (
            <ButtonLink to="/assistant" variant="secondary">
              Start a new chat
            </ButtonLink>
          ) : (
            <Button variant="secondary" onClick={() => void details.refetch()} busy={details.isRefetching}>
              Try again
            </Button>
          )
        }
      >
        {loadErrorText(details.error, 'chat')}
      </EmptyState>
    );
  } else {
    thread = (
      <AssistantThread
        state={state}
        onRetry={chat.retry}
        empty={
          <div className={styles.intro}>
            <Bot size={28} aria-hidden="true" className={styles.introIcon} />
            <h2 className={styles.introTitle}>Ask the assistant</h2>
            <p className={styles.introText}>
              It answers from our help articles and links the article each answer comes from. If it can&apos;t
              help, <strong>Talk to a human</strong> hands your chat to our support team, so you don&apos;t have to
              repeat yourself.
            </p>
          </div>
        }
        after={
          state.decision?.handoff === true && (
            <div className={styles.suggestion}>
              <UserRound size={20} aria-hidden="true" className={styles.suggestionIcon} />
              <p className={styles.suggestionText}>
                A person from our support team can help with this.{' '}
                {state.handoffAvailable === false
                  ? 'Start a support conversation and someone will answer.'
                  : 'They will see your chat with the assistant.'}
              </p>
              <Button size="small" busy={handoff.pending} onClick={handoff.talkToHuman}>
                Talk to a person now
              </Button>
            </div>
          )
        }
      />
    );
  }

  return (
    <section className={styles.chatPane} aria-labelledby="assistant-title">
      <header className={styles.header}>
        {listToggle}
        <div className={styles.heading}>
          <h1 id="assistant-title" className={styles.title}>
            Assistant
          </h1>
          <p className={styles.subtitle}>{session?.title ?? 'New chat'}</p>
        </div>
        <Button variant="secondary" className={styles.human} busy={handoff.pending} onClick={handoff.talkToHuman}>
          <UserRound size={18} aria-hidden="true" />
          Talk to a human
        </Button>
      </header>
      {handoff.error !== null && <Alert>Couldn&apos;t hand the chat over: {handoffErrorText(handoff.error)}</Alert>}
      {session?.handoffConversationId != null && (
        <p className={styles.handedNote}>
          This chat was handed to our support team.{' '}
          <Link to={`/support/${session.handoffConversationId}`}>Open the support conversation</Link>
        </p>
      )}
      <div className={styles.thread}>{thread}</div>
      <MessageComposer
        label="Question"
        placeholder="Ask a question…"
        sendLabel="Ask"
        sendDisabled={!canAsk(state)}
        onSend={chat.ask}
      />
    </section>
  );
}
