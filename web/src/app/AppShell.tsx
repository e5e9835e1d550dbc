import { LogOut } from 'lucide-react';
import { useState } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { useSupportChatEnabled } from '../features/support/SupportGate';
import { useAuth, useCurrentUser } from '../features/auth/AuthContext';
import { HeaderNotifications, UnreadNavBadge } from '../features/notifications/HeaderNotifications';
import { NotificationsProvider } from '../features/notifications/NotificationsProvider';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { LogoMark } from '../ui/LogoMark';
import styles from './AppShell.module.css';

/** The frame of every signed-in page: header with the product, the user and Sign out. */
export function AppShell() {
  const user = useCurrentUser();
  const { signOut } = useAuth();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutFailed, setSignOutFailed] = useState(false);
  const supportEnabled = useSupportChatEnabled();

  async function handleSignOut() {
    setSigningOut(true);
    setSignOutFailed(false);
    try {
      // On success the route guard takes over and shows the sign-in page.
      await signOut();
    } catch {
      setSignOutFailed(true);
      setSigningOut(false);
    }
  }

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <div className={styles.start}>
          <Link to="/" className={styles.brand}>
            <LogoMark className={styles.mark} />
            <span className={styles.brandName}>support-chat</span>
          </Link>
          <nav aria-label="Main" className={styles.nav}>
            <NavLink to="/" end className={styles.navLink}>
              Home
            </NavLink>
            {supportEnabled && (
              <NavLink to="/support" className={styles.navLink}>
                Support
                <UnreadNavBadge />
              </NavLink>
            )}
            <NavLink to="/assistant" className={styles.navLink}>
              Assistant
            </NavLink>
            {user.role === 'admin' && (
              <NavLink to="/admin" className={styles.navLink}>
                Admin
              </NavLink>
            )}
          </nav>
        </div>
        <div className={styles.account}>
          <HeaderNotifications />
          <p className={styles.user}>
            <span className={styles.userName}>{user.name}</span>
            {user.role === 'admin' && <span className={styles.role}>Admin</span>}
          </p>
          <Button variant="secondary" busy={signingOut} onClick={handleSignOut} className={styles.signOut}>
            <LogOut size={16} aria-hidden="true" className={styles.signOutIcon} />
            <span className={styles.signOutText}>Sign out</span>
          </Button>
        </div>
      </header>
      {signOutFailed && (
        <div className={styles.signOutError}>
          <Alert>Couldn&apos;t sign out. Check your connection and try again.</Alert>
        </div>
      )}
      <main className={styles.main}>
        <NotificationsProvider>
          <Outlet />
        </NotificationsProvider>
      </main>
    </div>
  );
}
