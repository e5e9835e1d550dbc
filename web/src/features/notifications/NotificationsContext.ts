import { createContext, useContext } from 'react';
import type { PermissionState } from './browserNotifications';

export interface NotificationsContextValue {
  /** Whether this browser may show system notifications for the site. */
  permission: PermissionState;
  /** Asks the browser for permission; call it from a click. */
  requestPermission: () => Promise<void>;
  /** Plays the notification tone now (call it from a click); false when the browser can't. */
  playTestSound: () => Promise<boolean>;
}

export const NotificationsContext = createContext<NotificationsContextValue | null>(null);

export function useNotifications(): NotificationsContextValue {
  const value = useContext(NotificationsContext);
  if (value === null) throw new Error('useNotifications must be used inside <NotificationsProvider>');
  return value;
}
