import type { ReactNode } from 'react';
import { LogoMark } from '../../ui/LogoMark';
import styles from './AuthLayout.module.css';

interface AuthLayoutProps {
  title: string;
  subtitle: string;
  children: ReactNode;
  footer: ReactNode;
}

/** The centred card shared by the sign-in and sign-up pages. */
export function AuthLayout({ title, subtitle, children, footer }: AuthLayoutProps) {
  return (
    <main className={styles.page}>
      <title>{`${title} · support-chat`}</title>
      <p className={styles.brand}>
        <LogoMark className={styles.mark} />
        support-chat
      </p>
      <section className={styles.card} aria-labelledby="auth-title">
        <header className={styles.header}>
          <h1 id="auth-title" className={styles.title}>
            {title}
          </h1>
          <p className={styles.subtitle}>{subtitle}</p>
        </header>
        {children}
        <p className={styles.footer}>{footer}</p>
      </section>
    </main>
  );
}
