import type { ReactNode } from 'react';
import styles from './EmptyState.module.css';

interface EmptyStateProps {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
  /** `alert` for failures, so screen readers announce them. */
  role?: 'alert' | 'status';
}

/** A message in place of content: nothing here yet, not available, or failed to load. */
export function EmptyState({ title, children, action, icon, role }: EmptyStateProps) {
  return (
    <div className={styles.empty} role={role}>
      {icon && <div className={styles.icon} aria-hidden="true">{icon}</div>}
      <h2 className={styles.title}>{title}</h2>
      {children && <p className={styles.text}>{children}</p>}
      {action}
    </div>
  );
}
