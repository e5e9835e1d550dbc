import type { FeatureFlag, Role, UpdateFlagRequest } from '../../api/admin';

/** A flag's settings as the form edits them. */
export interface FlagDraft {
  enabled: boolean;
  /** As typed, so a half-typed number is not lost. */
  rolloutPercent: string;
  roles: readonly Role[];
}

export const ROLE_VALUES: readonly Role[] = ['user', 'admin'];

export function draftOf(flag: FeatureFlag): FlagDraft {
  return {
    enabled: flag.enabled,
    rolloutPercent: String(flag.rolloutPercent),
    roles: ROLE_VALUES.filter((r) => flag.roles?.includes(r) ?? false),
  };
}

export function sameDraft(a: FlagDraft, b: FlagDraft): boolean {
  return (
    a.enabled === b.enabled &&
    a.rolloutPercent.trim() === b.rolloutPercent.trim() &&
    a.roles.length === b.roles.length &&
    a.roles.every((r) => b.roles.includes(r))
  );
}

/** The request for a draft, or the problem with its rollout percent. */
export function requestOf(draft: FlagDraft): { request: UpdateFlagRequest } | { problem: string } {
  const text = draft.rolloutPercent.trim();
  if (!/^\d{1,3}$/.test(text) || Number(text) > 100) {
    return { problem: 'Rollout must be a whole number from 0 to 100.' };
  }
  return {
    request: {
      enabled: draft.enabled,
      rolloutPercent: Number(text),
      // No role ticked means every role (the server's `null`).
      roles: draft.roles.length === 0 ? null : [...draft.roles],
    },
  };
}

/** Who a draft turns the feature on for, in words. */
export function audienceText(draft: FlagDraft): string {
  if (!draft.enabled) return 'Off for everyone.';
  const percent = draft.rolloutPercent.trim();
  const who =
    draft.roles.length === 0 || draft.roles.length === ROLE_VALUES.length
      ? 'everyone'
      : draft.roles.includes('admin')
        ? 'admins'
        : 'users (not admins)';
  return percent === '100' ? `On for ${who}.` : `On for ${percent}% of ${who}.`;
}

/** Whether saving this draft of `support_chat` would lock admins (me included) out of the queue. */
export function locksAdminsOut(key: string, draft: FlagDraft): boolean {
  return key === 'support_chat' && (!draft.enabled || (draft.roles.length > 0 && !draft.roles.includes('admin')));
}
