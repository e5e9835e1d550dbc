import { useEffect, useRef } from 'react';
import { formatTitle, stripBadge } from './title';

/**
 * Keeps `(n) ` in front of the tab title while `unread` > 0. Pages set their own `<title>`; a
 * MutationObserver puts the count back in front whenever one changes it.
 */
export function useTitleBadge(unread: number): void {
  const count = useRef(unread);

  useEffect(() => {
    const apply = () => {
      const want = formatTitle(document.title, count.current);
      if (document.title !== want) document.title = want;
    };
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { childList: true, subtree: true, characterData: true });
    apply();
    return () => {
      observer.disconnect();
      document.title = stripBadge(document.title);
    };
  }, []);

  useEffect(() => {
    count.current = unread;
    const want = formatTitle(document.title, unread);
    if (document.title !== want) document.title = want;
  }, [unread]);
}
