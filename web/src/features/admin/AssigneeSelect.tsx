import { useId } from 'react';
import type { PersonRef } from '../../api/admin';
import styles from './AssigneeSelect.module.css';

interface AssigneeSelectProps {
  label: string;
  hideLabel?: boolean;
  /** Who it is assigned to now; null for nobody. */
  value: PersonRef | null;
  admins: readonly PersonRef[];
  selfId: number;
  disabled?: boolean;
  /** An admin's id, or null to unassign. */
  onChange: (adminId: number | null) => void;
}

/** Picks the admin a conversation is assigned to: me first, then the others by name. */
export function AssigneeSelect({ label, hideLabel = false, value, admins, selfId, disabled, onChange }: AssigneeSelectProps) {
  const id = useId();
  const me = admins.find((a) => a.id === selfId);
  const others = admins.filter((a) => a.id !== selfId).sort((a, b) => a.name.localeCompare(b.name));
  // Someone no longer in the list (a demoted admin) still shows as the assignee.
  const unknown = value !== null && !admins.some((a) => a.id === value.id) ? value : null;
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : styles.label}>
        {label}
      </label>
      <select
        id={id}
        className={styles.select}
        value={value === null ? '' : String(value.id)}
        disabled={disabled}
        onChange={(event) => {
          const raw = event.target.value;
          onChange(raw === '' ? null : Number(raw));
        }}
      >
        <option value="">Unassigned</option>
        {me && <option value={String(me.id)}>{me.name} (you)</option>}
        {others.map((a) => (
          <option key={a.id} value={String(a.id)}>
            {a.name}
          </option>
        ))}
        {unknown && <option value={String(unknown.id)}>{unknown.name}</option>}
      </select>
    </div>
  );
}
