import { describe, expect, it } from 'vitest';
import { bulkResultText, parseTags } from './bulk';

describe('bulk actions', () => {
  it('reads comma-separated tags as the server stores them, once each', () => {
    expect(parseTags(' Billing, vip ,,billing, ')).toEqual(['billing', 'vip']);
    expect(parseTags(' , ')).toEqual([]);
  });

  it('says what was done', () => {
    expect(bulkResultText({ action: 'close' }, 3, 3)).toBe('Closed 3 conversations.');
    expect(bulkResultText({ action: 'archive' }, 1, 1)).toBe('Archived 1 conversation.');
    expect(bulkResultText({ action: 'assign', adminId: 3 }, 2, 2, 'Bo')).toBe('Assigned 2 conversations to Bo.');
    expect(bulkResultText({ action: 'assign', adminId: null }, 2, 2)).toBe('Unassigned 2 conversations.');
    expect(bulkResultText({ action: 'tag', tags: ['vip', 'billing'] }, 1, 1)).toBe('Tagged 1 conversation with vip, billing.');
  });

  it('says when some of the selected conversations were gone', () => {
    expect(bulkResultText({ action: 'restore' }, 3, 2)).toBe('Restored 2 conversations. 1 conversation no longer existed.');
  });
});
