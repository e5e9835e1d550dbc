import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useApi } from '../../api/ApiContext';
import { bulkUpdate, TAG_MAX_CHARS, TAGS_MAX, type BulkAction, type PersonRef } from '../../api/admin';
import { Button } from '../../ui/Button';
import { AssigneeSelect } from './AssigneeSelect';
import { refreshQueue } from './cache';
import { bulkResultText, conversations, parseTags } from './bulk';
import { actionErrorText } from './errors';
import styles from './BulkBar.module.css';

interface BulkBarProps {
  /** The selected conversations on screen, in screen order. */
  ids: readonly number[];
  /** How many rows are on screen (for "select all"). */
  visibleCount: number;
  allState: 'none' | 'some' | 'all';
  onToggleAll: () => void;
  onDone: () => void;
  archived: boolean;
  admins: readonly PersonRef[];
  selfId: number;
}

/** "Select all" and the actions for the ticked rows: close, assign, tag, archive (or restore). */
export function BulkBar({ ids, visibleCount, allState, onToggleAll, onDone, archived, admins, selfId }: BulkBarProps) {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const selectAllRef = useRef<HTMLInputElement>(null);
  const [assignee, setAssignee] = useState<number | null>(selfId);
  const [tagText, setTagText] = useState('');
  const [tagError, setTagError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);

  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = allState === 'some';
  }, [allState]);

  const bulk = useMutation({
    mutationFn: ({ action }: { action: BulkAction; adminName?: string }) => bulkUpdate(api, ids, action),
    onMutate: () => {
      setResult(null);
    },
    onSuccess: (updated, { action, adminName }) => {
      setResult(bulkResultText(action, ids.length, updated, adminName));
      if (action.action === 'tag') setTagText('');
      onDone();
      refreshQueue(queryClient);
    },
  });

  const count = ids.length;
  const none = count === 0;
  const busy = bulk.isPending;
  const pendingAction = busy ? bulk.variables.action.action : null;

  function run(action: BulkAction, adminName?: string) {
    bulk.mutate(adminName === undefined ? { action } : { action, adminName });
  }

  return (
    <div className={styles.bar} role="group" aria-label="Bulk actions">
      <div className={styles.selectRow}>
        <label className={styles.selectAll}>
          <input
            ref={selectAllRef}
            type="checkbox"
            checked={allState === 'all'}
            disabled={visibleCount === 0}
            onChange={onToggleAll}
          />
          Select all on this page
        </label>
        <span className={styles.count} aria-live="polite">
          {none ? 'Nothing selected' : `${conversations(count)} selected`}
        </span>
      </div>
      {!none && (
        <div className={styles.actions}>
          <Button variant="secondary" size="small" busy={pendingAction === 'close'} disabled={busy} onClick={() => { run({ action: 'close' }); }}>
            Close selected
          </Button>
          {archived ? (
            <Button variant="secondary" size="small" busy={pendingAction === 'restore'} disabled={busy} onClick={() => { run({ action: 'restore' }); }}>
              Restore selected
            </Button>
          ) : (
            <Button variant="secondary" size="small" busy={pendingAction === 'archive'} disabled={busy} onClick={() => { run({ action: 'archive' }); }}>
              Archive selected
            </Button>
          )}
          <form
            className={styles.inline}
            onSubmit={(event) => {
              event.preventDefault();
              const admin = admins.find((a) => a.id === assignee);
              run({ action: 'assign', adminId: assignee }, admin?.name);
            }}
          >
            <AssigneeSelect
              label="Assign selected to"
              hideLabel
              value={
                assignee === null
                  ? null
                  : (admins.find((a) => a.id === assignee) ?? { id: assignee, name: assignee === selfId ? 'You' : `Admin #${assignee}` })
              }
              admins={admins}
              selfId={selfId}
              disabled={busy}
              onChange={setAssignee}
            />
            <Button type="submit" variant="secondary" size="small" busy={pendingAction === 'assign'} disabled={busy}>
              Assign selected
            </Button>
          </form>
          <form
            className={styles.inline}
            onSubmit={(event) => {
              event.preventDefault();
              const tags = parseTags(tagText);
              if (tags.length === 0) {
                setTagError('Type at least one tag.');
                return;
              }
              if (tags.length > TAGS_MAX || tags.some((t) => t.length > TAG_MAX_CHARS)) {
                setTagError(`Use at most ${TAGS_MAX} tags of at most ${TAG_MAX_CHARS} characters.`);
                return;
              }
              setTagError(null);
              run({ action: 'tag', tags });
            }}
          >
            <label htmlFor={`${id}-tags`} className="visually-hidden">
              Tags for selected
            </label>
            <input
              id={`${id}-tags`}
              className={styles.input}
              placeholder="tags, comma separated"
              value={tagText}
              disabled={busy}
              aria-invalid={tagError ? true : undefined}
              aria-describedby={tagError ? `${id}-tag-error` : undefined}
              onChange={(event) => {
                setTagText(event.target.value);
                setTagError(null);
              }}
            />
            <Button type="submit" variant="secondary" size="small" busy={pendingAction === 'tag'} disabled={busy}>
              Add tags
            </Button>
          </form>
          <Button variant="secondary" size="small" disabled={busy} onClick={onDone}>
            Clear selection
          </Button>
        </div>
      )}
      {tagError && (
        <p id={`${id}-tag-error`} role="alert" className={styles.error}>
          {tagError}
        </p>
      )}
      {bulk.isError && (
        <p role="alert" className={styles.error}>
          Nothing was changed: {actionErrorText(bulk.error)}
        </p>
      )}
      <p role="status" className={styles.result}>
        {result}
      </p>
    </div>
  );
}
