import type { Category, ChatTurn, HandoffContext, Reason, ReasonCode, Urgency } from '../../api/assistant';

const CATEGORIES: Record<Category, string> = {
  technical: 'Technical',
  billing: 'Billing',
  feature: 'Feature request',
  bug: 'Bug',
  other: 'Other',
};

const URGENCIES: Record<Urgency, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

/** Short names for the analyzer's stable reason codes (the message says the details). */
export const REASON_LABELS: Record<ReasonCode, string> = {
  explicit_request: 'Asked for a person',
  frustration: 'Frustrated',
  billing_problem: 'Billing problem',
  account_security: 'Account security',
  malfunction: 'Something is broken',
  no_confident_answer: 'No confident answer',
  repeated_question: 'Asked again',
  not_helpful: 'Answer did not help',
  llm_decision: 'The AI model asked for a person',
};

export function categoryLabel(category: Category): string {
  return CATEGORIES[category];
}

export function urgencyLabel(urgency: Urgency): string {
  return URGENCIES[urgency];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && value in CATEGORIES;
}

function isUrgency(value: unknown): value is Urgency {
  return typeof value === 'string' && value in URGENCIES;
}

function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && value in REASON_LABELS;
}

function chatTurns(value: unknown): ChatTurn[] {
  if (!Array.isArray(value)) return [];
  const turns: ChatTurn[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.content !== 'string') continue;
    if (item.role !== 'user' && item.role !== 'assistant') continue;
    turns.push({ role: item.role, content: item.content });
  }
  return turns;
}

function reasons(value: unknown): Reason[] {
  if (!Array.isArray(value)) return [];
  const list: Reason[] = [];
  for (const item of value) {
    if (isRecord(item) && isReasonCode(item.code) && typeof item.message === 'string') {
      list.push({ code: item.code, message: item.message });
    }
  }
  return list;
}

/**
 * The hand-off context stored with an `ai_handoff` conversation (`conversation.context`, typed
 * loosely on the wire), or null when it is missing or not a hand-off context. Unknown reason
 * codes and malformed transcript turns are left out rather than failing the whole panel.
 */
export function parseHandoffContext(value: unknown): HandoffContext | null {
  if (!isRecord(value)) return null;
  const { summary, userIntent, category, urgency, aiSummary } = value;
  if (typeof summary !== 'string' || typeof userIntent !== 'string') return null;
  if (!isCategory(category) || !isUrgency(urgency)) return null;
  return {
    summary,
    ...(typeof aiSummary === 'string' && aiSummary.trim() !== '' ? { aiSummary } : {}),
    userIntent,
    category,
    urgency,
    reasons: reasons(value.reasons),
    aiChatHistory: chatTurns(value.aiChatHistory),
  };
}
