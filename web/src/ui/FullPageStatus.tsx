import type { ReactNode } from 'react';
import styles from './FullPageStatus.module.css';

/** A centred spinner for whole-page loading. */
export function FullPageLoading({ label = 'Loading' }: { label?: string }) {
  return (
    <main className={styles.page} aria-busy="true">
      <div className={styles.box} role="status">
        <span className={styles.spinner} aria-hidden="true" />
        <span className="visually-hidden">{label}</span>
      </div>
    </main>
  );
}

interface FullPageMessageProps {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}

/** A centred message page: not found, server unreachable, unexpected error. */
export function FullPageMessage({ title, children, action }: FullPageMessageProps) {
  return (
    <main className={styles.page}>
      <div className={styles.box}>
        <h1 className={styles.title}>{title}</h1>
        {children && <p className={styles.text}>{children}</p>}
        {action}
      </div>
    </main>
  );
}
