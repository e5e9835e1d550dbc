import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, reconnectDelay } from './backoff';

describe('reconnectDelay', () => {
  it('doubles with each attempt, between half and all of the ceiling', () => {
    expect(reconnectDelay(0, () => 0)).toBe(250);
    expect(reconnectDelay(0, () => 1)).toBe(500);
    expect(reconnectDelay(1, () => 0)).toBe(500);
    expect(reconnectDelay(3, () => 1)).toBe(4000);
  });

  it('never waits longer than the maximum', () => {
    expect(reconnectDelay(50, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(reconnectDelay(50, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });

  it('spreads clients out', () => {
    const delays = new Set([0.1, 0.5, 0.9].map((r) => reconnectDelay(4, () => r)));
    expect(delays.size).toBe(3);
  });
});
