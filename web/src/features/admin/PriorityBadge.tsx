import { AlertTriangle, ArrowDown, ArrowUp } from 'lucide-react';
import type { Priority } from '../../api/support';
import { PRIORITY_LABELS } from '../support/format';
import styles from './PriorityBadge.module.css';

/**
 * A conversation's priority as words and an icon, never colour alone. Normal priority shows
 * nothing unless `showNormal`.
 */
export function PriorityBadge({ priority, showNormal = false }: { priority: Priority; showNormal?: boolean }) {
  if (priority === 'normal' && !showNormal) return null;
  const icon =
    priority === 'urgent' ? <AlertTriangle size={14} aria-hidden="true" /> :
    priority === 'high' ? <ArrowUp size={14} aria-hidden="true" /> :
    priority === 'low' ? <ArrowDown size={14} aria-hidden="true" /> : null;
  return (
    <span className={`${styles.badge} ${styles[priority]}`}>
      {icon}
      {PRIORITY_LABELS[priority]}
      <span className="visually-hidden"> priority</span>
    </span>
  );
}
