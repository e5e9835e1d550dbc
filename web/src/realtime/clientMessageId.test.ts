import { describe, expect, it } from 'vitest';
import { isClientMessageId, newClientMessageId } from './clientMessageId';

describe('newClientMessageId', () => {
  it('makes distinct lower-case v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClientMessageId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(isClientMessageId(id)).toBe(true);
  });

  it('still makes a v4 UUID where randomUUID is missing (plain-HTTP origins)', () => {
    const id = newClientMessageId({ getRandomValues: (array) => crypto.getRandomValues(array) });
    expect(isClientMessageId(id)).toBe(true);
  });

  it('sets the version and variant bits even from all-ones randomness', () => {
    const id = newClientMessageId({
      getRandomValues: <T extends ArrayBufferView | null>(array: T) => {
        if (array instanceof Uint8Array) array.fill(0xff);
        return array;
      },
    });
    expect(id).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });
});
