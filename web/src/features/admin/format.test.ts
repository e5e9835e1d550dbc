import { describe, expect, it } from 'vitest';
import { formatDuration, formatOptionalDuration, responseTime } from './format';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45 * S + 900, '45 s'],
    [M, '1 min'],
    [59 * M + 59 * S, '59 min'],
    [H, '1 h'],
    [2 * H + 5 * M + 30 * S, '2 h 5 min'],
    [D, '1 d'],
    [3 * D + 4 * H + 59 * M, '3 d 4 h'],
    [-5 * S, '0 s'],
  ])('%i ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows a dash for a figure that does not exist yet', () => {
    expect(formatOptionalDuration(null)).toBe('—');
    expect(formatOptionalDuration(undefined)).toBe('—');
    expect(formatOptionalDuration(90 * S)).toBe('1 min');
  });
});

describe('responseTime', () => {
  const now = new Date('2026-11-24T10:30:00Z');
  const createdAt = '2026-11-24T10:00:00Z';

  it('shows how long the first reply took', () => {
    expect(responseTime({ firstResponseMs: 4 * M, status: 'closed', createdAt }, now)).toEqual({ text: 'Replied in 4 min', waiting: false });
  });

  it('counts the wait of an open conversation nobody answered', () => {
    expect(responseTime({ firstResponseMs: null, status: 'open', createdAt }, now)).toEqual({ text: 'Waiting 30 min', waiting: true });
    expect(responseTime({ status: 'in_progress', createdAt }, now).waiting).toBe(true);
  });

  it('does not call a closed, unanswered conversation waiting', () => {
    expect(responseTime({ firstResponseMs: null, status: 'closed', createdAt }, now)).toEqual({ text: 'No reply', waiting: false });
  });
});
