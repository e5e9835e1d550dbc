import type { ReactNode } from 'react';
import styles from './Alert.module.css';

/** An error line announced by screen readers as soon as it appears. */
export function Alert({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className={styles.alert}>
      {children}
    </p>
  );
}
