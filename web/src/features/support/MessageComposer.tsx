import { SendHorizontal } from 'lucide-react';
import { useId, useRef, useState, type ReactNode } from 'react';
import { MESSAGE_MAX_CHARS } from '../../api/support';
import { charCount, lengthHint, messageProblem } from './limits';
import styles from './MessageComposer.module.css';

interface MessageComposerProps {
  onSend: (content: string) => void;
  /** Called on every edit that leaves text in the box. */
  onTyping?: () => void;
  /** Called when the box is emptied or the message is sent. */
  onStopTyping?: () => void;
  /** A line above the box (conversation closed, offline…). */
  note?: ReactNode;
  /** The box's accessible name; `Message` by default. */
  label?: string;
  placeholder?: string;
  /** The send button's accessible name; `Send message` by default. */
  sendLabel?: string;
  /** Keeps the text but refuses to send it (while an earlier message is still being answered). */
  sendDisabled?: boolean;
}

/** The box at the bottom of a thread: Enter sends, Shift+Enter starts a new line. */
export function MessageComposer({
  onSend,
  onTyping,
  onStopTyping,
  note,
  label = 'Message',
  placeholder = 'Write a message…',
  sendLabel = 'Send message',
  sendDisabled = false,
}: MessageComposerProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const over = charCount(text) > MESSAGE_MAX_CHARS;
  const shownError = over ? messageProblem(text) : error;

  function submit() {
    if (sendDisabled) return;
    const problem = messageProblem(text);
    if (problem !== undefined) {
      // An empty box just does nothing; a message that is too long says why.
      if (charCount(text) > 0) setError(problem);
      return;
    }
    onSend(text.trim());
    setText('');
    setError(null);
    onStopTyping?.();
    inputRef.current?.focus();
  }

  return (
    <form
      className={styles.composer}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {note}
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <div className={styles.row}>
        <textarea
          ref={inputRef}
          id={id}
          name="message"
          className={styles.input}
          rows={1}
          placeholder={placeholder}
          value={text}
          aria-invalid={shownError ? true : undefined}
          aria-describedby={shownError ? `${errorId} ${hintId}` : hintId}
          onChange={(event) => {
            const value = event.target.value;
            setText(value);
            setError(null);
            if (value.trim() === '') onStopTyping?.();
            else onTyping?.();
          }}
          onKeyDown={(event) => {
            if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
            // Enter that confirms an input-method composition (Japanese, Chinese…) is not "send".
            if (event.nativeEvent.isComposing) return;
            event.preventDefault();
            submit();
          }}
        />
        <button type="submit" className={styles.send} aria-label={sendLabel} disabled={sendDisabled || text.trim() === ''}>
          <SendHorizontal size={20} aria-hidden="true" />
        </button>
      </div>
      <p id={hintId} className={styles.hint}>
        <span className={styles.keys}>Enter to send, Shift+Enter for a new line</span>
        <span className={over ? styles.over : ''}>{lengthHint(text)}</span>
      </p>
      {shownError && (
        <p id={errorId} role="alert" className={styles.error}>
          {shownError}
        </p>
      )}
    </form>
  );
}
