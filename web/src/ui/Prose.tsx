import styles from './Prose.module.css';

interface ProseProps {
  /**
   * HTML the server rendered from Markdown and sanitised (an article's `bodyHtml`: no scripts,
   * styles, event handlers or `javascript:` links). Never pass anything else.
   */
  html: string;
  className?: string;
}

/** A knowledge-base article's body, styled for reading. */
export function Prose({ html, className }: ProseProps) {
  return <div className={[styles.prose, className ?? ''].filter(Boolean).join(' ')} dangerouslySetInnerHTML={{ __html: html }} />;
}
