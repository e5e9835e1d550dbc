/** The browser's Notification API, with its absence and refusal as ordinary states. */

export type PermissionState = NotificationPermission | 'unsupported';

function api(): typeof Notification | null {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification : null;
}

export function permissionState(): PermissionState {
  return api()?.permission ?? 'unsupported';
}

/** Asks the browser for permission. Call it from a click: browsers ignore it otherwise. */
export async function requestPermission(): Promise<PermissionState> {
  const N = api();
  if (N === null) return 'unsupported';
  try {
    return await N.requestPermission();
  } catch {
    // Very old browsers only take a callback.
    return new Promise<PermissionState>((resolve) => {
      void N.requestPermission((p) => {
        resolve(p);
      });
    });
  }
}

export interface SystemNotice {
  title: string;
  body: string;
  /** Notifications with the same tag replace each other instead of stacking. */
  tag: string;
  onClick: () => void;
}

/** Shows a system notification, or returns null when that is not possible or not allowed. */
export function showSystemNotification({ title, body, tag, onClick }: SystemNotice): Notification | null {
  const N = api();
  if (N?.permission !== 'granted') return null;
  try {
    // `silent`: the app plays its own tone, which the "sound" preference controls.
    const n = new N(title, { body, tag, silent: true });
    n.onclick = (event) => {
      event.preventDefault();
      window.focus();
      onClick();
      n.close();
    };
    return n;
  } catch {
    // Some browsers (Android Chrome) only allow notifications from a service worker.
    return null;
  }
}
