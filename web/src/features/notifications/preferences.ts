import { queryOptions } from '@tanstack/react-query';
import { unwrap, type Api } from '../../api/client';
import type { components } from '../../api/schema';

type Schemas = components['schemas'];
/** How the signed-in person wants to be told about new messages (saved on the server). */
export type NotificationPreferences = Schemas['NotificationPreferences'];
export type PreferencesPatch = Schemas['UpdateNotificationPreferencesRequest'];

/** What the server answers for someone who never saved anything. */
export const DEFAULT_PREFERENCES: NotificationPreferences = { browser: true, sound: true, emailUrgent: false };

export const preferencesKey = ['notifications', 'preferences'] as const;

/** Other tabs of this browser hear about saved preferences on this channel. */
export const PREFERENCES_CHANNEL = 'support-chat:notification-preferences';

/** `current` with the settings present in `patch` applied (absent ones keep their value). */
export function mergePreferences(current: NotificationPreferences, patch: PreferencesPatch): NotificationPreferences {
  return {
    browser: patch.browser ?? current.browser,
    sound: patch.sound ?? current.sound,
    emailUrgent: patch.emailUrgent ?? current.emailUrgent,
  };
}

export function fetchPreferences(api: Api, signal?: AbortSignal): Promise<NotificationPreferences> {
  return unwrap(
    api.client.GET('/api/support-chat/notification-preferences', signal ? { signal } : {}),
  );
}

export function savePreferences(api: Api, patch: PreferencesPatch): Promise<NotificationPreferences> {
  return unwrap(api.client.PUT('/api/support-chat/notification-preferences', { body: patch }));
}

export function preferencesQuery(api: Api, enabled: boolean) {
  return queryOptions({
    queryKey: preferencesKey,
    queryFn: ({ signal }) => fetchPreferences(api, signal),
    enabled,
    staleTime: 60_000,
  });
}
