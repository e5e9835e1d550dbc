import { describe, expect, it } from 'vitest';
import type { FeatureFlag } from '../../api/admin';
import { audienceText, draftOf, locksAdminsOut, requestOf, sameDraft } from './flagForm';

const flag = (overrides: Partial<FeatureFlag> = {}): FeatureFlag => ({
  key: 'support_chat',
  displayName: 'Support chat',
  description: 'Chat with support',
  enabled: true,
  defaultEnabled: true,
  rolloutPercent: 100,
  roles: null,
  ...overrides,
});

describe('feature flag form', () => {
  it('sends no role list as "every role" (null)', () => {
    expect(requestOf(draftOf(flag()))).toEqual({ request: { enabled: true, rolloutPercent: 100, roles: null } });
    expect(requestOf({ ...draftOf(flag()), roles: ['user'] })).toEqual({
      request: { enabled: true, rolloutPercent: 100, roles: ['user'] },
    });
  });

  it.each(['', '101', '-1', '2.5', 'abc'])('refuses the rollout "%s" with a sentence', (percent) => {
    expect(requestOf({ ...draftOf(flag()), rolloutPercent: percent })).toEqual({
      problem: 'Rollout must be a whole number from 0 to 100.',
    });
  });

  it('sees an edit, and sees an unchanged form as unchanged', () => {
    const base = draftOf(flag({ roles: ['admin', 'user'] }));
    expect(sameDraft(base, { ...base, roles: ['user', 'admin'] })).toBe(true);
    expect(sameDraft(base, { ...base, rolloutPercent: ' 100 ' })).toBe(true);
    expect(sameDraft(base, { ...base, enabled: false })).toBe(false);
  });

  it('says who gets the feature', () => {
    expect(audienceText(draftOf(flag()))).toBe('On for everyone.');
    expect(audienceText({ ...draftOf(flag()), rolloutPercent: '25', roles: ['user'] })).toBe('On for 25% of users (not admins).');
    expect(audienceText({ ...draftOf(flag()), enabled: false })).toBe('Off for everyone.');
  });

  it('warns when support chat would be off for admins', () => {
    expect(locksAdminsOut('support_chat', draftOf(flag()))).toBe(false);
    expect(locksAdminsOut('support_chat', { ...draftOf(flag()), roles: ['user'] })).toBe(true);
    expect(locksAdminsOut('support_chat', { ...draftOf(flag()), enabled: false })).toBe(true);
    expect(locksAdminsOut('file_uploads', { ...draftOf(flag()), enabled: false })).toBe(false);
  });
});
