import { Bot, ChevronRight } from 'lucide-react';
import { useId } from 'react';
import type { HandoffContext } from '../../api/assistant';
import { categoryLabel, REASON_LABELS, urgencyLabel } from './handoffContext';
import styles from './HandoffContextPanel.module.css';

/**
 * What the AI assistant handed over with a conversation: the summary, category, urgency, the
 * user's intent, why it handed over, and the whole assistant chat (folded away until opened).
 */
export function HandoffContextPanel({ context }: { context: HandoffContext }) {
  const id = useId();
  const headingId = `${id}-title`;
  const transcript = context.aiChatHistory;
  const reasons = context.reasons ?? [];
  return (
    <section className={styles.panel} aria-labelledby={headingId}>
      <h2 id={headingId} className={styles.title}>
        <Bot size={18} aria-hidden="true" />
        Handed over by the AI assistant
      </h2>
      <div className={styles.body}>
        <div className={styles.summaryBlock}>
          <h3 className={styles.label}>Summary (the user's own words)</h3>
          <p className={styles.summary}>{context.summary.trim() === '' ? 'No summary: the user wrote nothing to summarise.' : context.summary}</p>
        </div>
        {context.aiSummary !== undefined && context.aiSummary !== null && (
          <div className={styles.summaryBlock}>
            <h3 className={styles.label}>AI summary (written by the model from the chat: check it against the transcript)</h3>
            <p className={styles.summary}>{context.aiSummary}</p>
          </div>
        )}
        <dl className={styles.facts}>
          <div className={styles.fact}>
            <dt className={styles.label}>Category</dt>
            <dd>{categoryLabel(context.category)}</dd>
          </div>
          <div className={styles.fact}>
            <dt className={styles.label}>Urgency</dt>
            <dd className={styles[`urgency_${context.urgency}`]}>{urgencyLabel(context.urgency)}</dd>
          </div>
          <div className={`${styles.fact} ${styles.wide}`}>
            <dt className={styles.label}>User intent</dt>
            <dd>{context.userIntent}</dd>
          </div>
        </dl>
        <div>
          <h3 className={styles.label}>Why it was handed over</h3>
          {reasons.length === 0 ? (
            <p className={styles.muted}>The user chose “Talk to a human”; the assistant noticed nothing else.</p>
          ) : (
            <ul className={styles.reasons}>
              {reasons.map((reason, index) => (
                <li key={`${reason.code}-${index}`} className={styles.reason}>
                  <span className={styles.reasonCode}>{REASON_LABELS[reason.code]}</span>
                  <span className={styles.reasonText}>{reason.message}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <details className={styles.transcript}>
          <summary className={styles.transcriptToggle}>
            <ChevronRight size={16} aria-hidden="true" className={styles.chevron} />
            Assistant transcript ({transcript.length} {transcript.length === 1 ? 'message' : 'messages'})
          </summary>
          {transcript.length === 0 ? (
            <p className={styles.muted}>The transcript is empty.</p>
          ) : (
            <ol className={styles.turns} aria-label="Assistant transcript">
              {transcript.map((turn, index) => (
                <li key={index} className={`${styles.turn} ${turn.role === 'user' ? styles.userTurn : styles.botTurn}`}>
                  <span className={styles.speaker}>{turn.role === 'user' ? 'User' : 'Assistant'}</span>
                  <p className={styles.turnText}>{turn.content}</p>
                </li>
              ))}
            </ol>
          )}
        </details>
      </div>
    </section>
  );
}
