import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AlertTriangle } from 'lucide-react';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { updateFlag, type FeatureFlag, type Role, type UpdateFlagRequest } from '../../api/admin';
import { isApiError } from '../../api/client';
import { adminKeys } from '../../api/queryKeys';
import { Button } from '../../ui/Button';
import { EmptyState } from '../../ui/EmptyState';
import { meQueryKey } from '../auth/authApi';
import { loadErrorText } from '../support/errors';
import { actionErrorText } from './errors';
import { audienceText, draftOf, locksAdminsOut, requestOf, ROLE_VALUES, sameDraft, type FlagDraft } from './flagForm';
import { PageLoading } from './PageLoading';
import { flagsQueryOptions } from './queries';
import styles from './FeaturesPage.module.css';

const ROLE_LABELS: Record<Role, string> = { user: 'Users', admin: 'Admins' };

/** `/admin/features`: every feature flag with its switch, rollout and roles. */
export function FeaturesPage() {
  const api = useApi();
  const flags = useQuery(flagsQueryOptions(api));

  let body;
  if (flags.isPending) {
    body = <PageLoading label="Loading the feature flags…" />;
  } else if (flags.isError) {
    body = (
      <EmptyState
        role="alert"
        title="Couldn't load the feature flags"
        action={
          <Button variant="secondary" onClick={() => void flags.refetch()} busy={flags.isRefetching}>
            Try again
          </Button>
        }
      >
        {loadErrorText(flags.error, 'the feature flags')}
      </EmptyState>
    );
  } else if (flags.data.length === 0) {
    body = <EmptyState title="No feature flags">This server has no feature flags.</EmptyState>;
  } else {
    body = (
      <div className={styles.list}>
        {flags.data.map((flag) => (
          <FlagCard key={flag.key} flag={flag} />
        ))}
      </div>
    );
  }

  return (
    <>
      <title>Feature flags · Admin · support-chat</title>
      <div className={styles.header}>
        <p className={styles.crumb}>
          <Link to="/admin">Admin</Link>
        </p>
        <h1 className={styles.title}>Feature flags</h1>
        <p className={styles.lead}>
          A flag is on for a person when it is switched on, their role is allowed, and they fall inside the rollout
          share. Changes apply within a few seconds on every server.
        </p>
      </div>
      {body}
    </>
  );
}

function FlagCard({ flag }: { flag: FeatureFlag }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const headingId = `${id}-title`;
  const [base, setBase] = useState(() => draftOf(flag));
  const [draft, setDraft] = useState(base);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  // The server's settings changed (saved here, or by another admin): follow them unless the
  // form holds unsaved edits.
  const server = draftOf(flag);
  if (!sameDraft(server, base)) {
    setBase(server);
    if (sameDraft(draft, base)) setDraft(server);
  }

  const save = useMutation({
    mutationFn: (request: UpdateFlagRequest) => updateFlag(api, flag.key, request),
    onSuccess: (updated) => {
      queryClient.setQueryData<FeatureFlag[]>(adminKeys.flags(), (flags) => flags?.map((f) => (f.key === updated.key ? updated : f)));
      const next = draftOf(updated);
      setBase(next);
      setDraft(next);
      setSaved(true);
      // My own features may have changed with it (the Support pages, the live connection).
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });

  const dirty = !sameDraft(draft, base);
  const edit = (change: Partial<FlagDraft>) => {
    setDraft({ ...draft, ...change });
    setProblem(null);
    setSaved(false);
    save.reset();
  };
  const fieldError = save.error && isApiError(save.error) ? save.error.fields.rolloutPercent : undefined;
  const percentError = problem ?? fieldError;
  const error = save.isError ? actionErrorText(save.error) : null;

  return (
    <section className={styles.flag} aria-labelledby={headingId}>
      <form
        className={styles.form}
        // Our own messages instead of the browser's bubbles, which screen readers miss.
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const result = requestOf(draft);
          if ('problem' in result) {
            setProblem(result.problem);
            return;
          }
          save.mutate(result.request);
        }}
      >
        <div className={styles.top}>
          <div className={styles.names}>
            <h2 id={headingId} className={styles.name}>
              {flag.displayName}
            </h2>
            <code className={styles.key}>{flag.key}</code>
          </div>
          <label className={styles.switch}>
            <input
              type="checkbox"
              role="switch"
              className={styles.switchInput}
              checked={draft.enabled}
              onChange={(event) => {
                edit({ enabled: event.target.checked });
              }}
            />
            <span className={styles.track} aria-hidden="true">
              <span className={styles.thumb} />
            </span>
            <span className={styles.switchText}>Enabled</span>
          </label>
        </div>
        {flag.description && <p className={styles.description}>{flag.description}</p>}
        <div className={styles.fields}>
          <div className={styles.field}>
            <label htmlFor={`${id}-rollout`} className={styles.label}>
              Rollout percent
            </label>
            <div className={styles.percentRow}>
              <input
                id={`${id}-rollout`}
                className={styles.input}
                type="number"
                inputMode="numeric"
                min={0}
                max={100}
                step={1}
                value={draft.rolloutPercent}
                aria-invalid={percentError ? true : undefined}
                aria-describedby={percentError ? `${id}-rollout-error` : `${id}-rollout-hint`}
                onChange={(event) => {
                  edit({ rolloutPercent: event.target.value });
                }}
              />
              <span aria-hidden="true">%</span>
            </div>
            {percentError ? (
              <p id={`${id}-rollout-error`} className={styles.error}>
                {percentError}
              </p>
            ) : (
              <p id={`${id}-rollout-hint`} className={styles.hint}>
                The same people keep the feature as the share grows.
              </p>
            )}
          </div>
          <fieldset className={styles.roles}>
            <legend className={styles.label}>Limited to roles</legend>
            <div className={styles.roleChoices}>
              {ROLE_VALUES.map((role) => (
                <label key={role} className={styles.check}>
                  <input
                    type="checkbox"
                    checked={draft.roles.includes(role)}
                    onChange={(event) => {
                      edit({
                        roles: event.target.checked ? [...draft.roles, role] : draft.roles.filter((r) => r !== role),
                      });
                    }}
                  />
                  {ROLE_LABELS[role]}
                </label>
              ))}
            </div>
            <p className={styles.hint}>None ticked: every role.</p>
          </fieldset>
        </div>
        <p className={styles.audience}>{audienceText(draft)}</p>
        {locksAdminsOut(flag.key, draft) && (
          <p className={styles.warning}>
            <AlertTriangle size={16} aria-hidden="true" />
            Admins lose the support queue while this is saved: Support chat would be off for them, you included.
          </p>
        )}
        <div className={styles.actions}>
          <Button type="submit" size="small" busy={save.isPending} disabled={!dirty}>
            Save
          </Button>
          <Button
            variant="secondary"
            size="small"
            disabled={!dirty || save.isPending}
            onClick={() => {
              setDraft(base);
              setProblem(null);
              save.reset();
            }}
          >
            Discard changes
          </Button>
          <span role="status" className={styles.saved}>
            {saved && !dirty ? 'Saved.' : dirty ? 'Unsaved changes' : ''}
          </span>
        </div>
        {error && (
          <p role="alert" className={styles.error}>
            Couldn&apos;t save {flag.displayName}: {error}
          </p>
        )}
      </form>
    </section>
  );
}
