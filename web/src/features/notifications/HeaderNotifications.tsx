import { Settings } from 'lucide-react';
import { NavLink } from 'react-router';
import { useCurrentUser } from '../auth/AuthContext';
import { useSupportChatEnabled } from '../support/SupportGate';
import { NotificationCentre } from './NotificationCentre';
import { useUnreadTotal } from './useUnreadTotal';
import styles from './HeaderNotifications.module.css';

/** The header's notification controls: the admin notification centre and the settings link. */
export function HeaderNotifications() {
  const user = useCurrentUser();
  const enabled = useSupportChatEnabled();
  if (!enabled) return null;
  return (
    <div className={styles.group}>
      {user.role === 'admin' && <NotificationCentre />}
      <NavLink
        to="/settings/notifications"
        className={styles.settings}
        aria-label="Notification settings"
        title="Notification settings"
      >
        <Settings size={18} aria-hidden="true" />
      </NavLink>
    </div>
  );
}

/** The unread count beside the Support link, live. */
export function UnreadNavBadge() {
  const unread = useUnreadTotal();
  if (unread <= 0) return null;
  return (
    <>
      <span className={styles.badge} aria-hidden="true">
        {unread > 99 ? '99+' : unread}
      </span>
      <span className="visually-hidden">{` (${unread} unread)`}</span>
    </>
  );
}
