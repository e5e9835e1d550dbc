import { describe, expect, it } from 'vitest';
import { charCount, lengthHint, messageProblem, subjectProblem } from './limits';

describe('message and subject limits', () => {
  it('counts characters as the server does: trimmed, one per code point', () => {
    expect(charCount('  hi  ')).toBe(2);
    expect(charCount('👍🏽')).toBe(2);
    expect(lengthHint('hello')).toBe('5 / 10,000 characters');
  });

  it('refuses empty and over-long messages with a sentence that names the limit', () => {
    expect(messageProblem('   ')).toBe('Write a message');
    expect(messageProblem('x'.repeat(10_000))).toBeUndefined();
    expect(messageProblem('x'.repeat(10_001))).toBe('Messages can be at most 10,000 characters (this one has 10,001)');
  });

  it('refuses an empty or over-long subject', () => {
    expect(subjectProblem('')).toBe('Enter a subject');
    expect(subjectProblem('s'.repeat(255))).toBeUndefined();
    expect(subjectProblem('s'.repeat(256))).toBe('Keep the subject under 256 characters');
  });
});
