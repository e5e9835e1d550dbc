import { describe, expect, it } from 'vitest';
import { formatTitle, stripBadge } from './title';

describe('formatTitle', () => {
  it('puts the unread count in front of the page title', () => {
    expect(formatTitle('Support · support-chat', 3)).toBe('(3) Support · support-chat');
  });

  it('leaves the title bare when nothing is unread', () => {
    expect(formatTitle('Support · support-chat', 0)).toBe('Support · support-chat');
    expect(formatTitle('(4) Support · support-chat', 0)).toBe('Support · support-chat');
  });

  it('replaces an earlier count instead of stacking counts', () => {
    expect(formatTitle('(2) Dashboard · support-chat', 5)).toBe('(5) Dashboard · support-chat');
    expect(formatTitle(formatTitle('Dashboard', 1), 1)).toBe('(1) Dashboard');
  });

  it('caps large counts at 99+', () => {
    expect(formatTitle('Support', 100)).toBe('(99+) Support');
    expect(stripBadge('(99+) Support')).toBe('Support');
  });

  it('keeps a title that merely starts with a parenthesis', () => {
    expect(stripBadge('(draft) Notes')).toBe('(draft) Notes');
    expect(formatTitle('(draft) Notes', 2)).toBe('(2) (draft) Notes');
  });
});
