import styles from './PageLoading.module.css';

/** A centred spinner with a sentence, announced politely. */
export function PageLoading({ label }: { label: string }) {
  return (
    <div role="status" className={styles.loading}>
      <span className={styles.spinner} aria-hidden="true" />
      {label}
    </div>
  );
}
