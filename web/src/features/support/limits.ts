import { MESSAGE_MAX_CHARS, SUBJECT_MAX_CHARS } from '../../api/support';
import { formatCount } from './format';

/** Characters as the server counts them: Unicode code points, after trimming. */
export function charCount(text: string): number {
  return Array.from(text.trim()).length;
}

export function messageProblem(text: string): string | undefined {
  const n = charCount(text);
  if (n === 0) return 'Write a message';
  if (n > MESSAGE_MAX_CHARS) {
    return `Messages can be at most ${formatCount(MESSAGE_MAX_CHARS)} characters (this one has ${formatCount(n)})`;
  }
  return undefined;
}

export function subjectProblem(text: string): string | undefined {
  const n = charCount(text);
  if (n === 0) return 'Enter a subject';
  if (n > SUBJECT_MAX_CHARS) return `Keep the subject under ${formatCount(SUBJECT_MAX_CHARS + 1)} characters`;
  return undefined;
}

/** "42 / 10,000 characters". */
export function lengthHint(text: string, max = MESSAGE_MAX_CHARS): string {
  return `${formatCount(charCount(text))} / ${formatCount(max)} characters`;
}
