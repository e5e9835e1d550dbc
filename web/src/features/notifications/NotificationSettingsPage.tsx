import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type ReactNode } from 'react';
import { useApi } from '../../api/ApiContext';
import { isApiError } from '../../api/client';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { EmptyState } from '../../ui/EmptyState';
import { ButtonLink } from '../../ui/ButtonLink';
import { loadErrorText } from '../support/errors';
import { useSupportChatEnabled } from '../support/SupportGate';
import { useNotifications } from './NotificationsContext';
import {
  DEFAULT_PREFERENCES,
  PREFERENCES_CHANNEL,
  mergePreferences,
  preferencesKey,
  preferencesQuery,
  savePreferences,
  type NotificationPreferences,
  type PreferencesPatch,
} from './preferences';
import styles from './NotificationSettingsPage.module.css';

function saveErrorText(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 0) return "Couldn't save: can't reach the server. Check your connection and try again.";
    if (error.status >= 500) return "Couldn't save: something went wrong on our side. Try again.";
    return `Couldn't save: ${error.message}`;
  }
  return "Couldn't save your settings. Try again.";
}

/** Tells this browser's other tabs about saved preferences. */
function broadcast(prefs: NotificationPreferences) {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(PREFERENCES_CHANNEL);
  channel.postMessage(prefs);
  channel.close();
}

interface SwitchProps {
  label: string;
  description: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children?: ReactNode;
}

/** A labelled on/off control (a checkbox with the `switch` role). */
function Switch({ label, description, checked, onChange, children }: SwitchProps) {
  const id = useId();
  const descriptionId = useId();
  return (
    <div className={styles.setting}>
      <div className={styles.row}>
        <div className={styles.text}>
          <label htmlFor={id} className={styles.label}>
            {label}
          </label>
          <p id={descriptionId} className={styles.description}>
            {description}
          </p>
        </div>
        <input
          id={id}
          type="checkbox"
          role="switch"
          className={styles.switch}
          checked={checked}
          aria-describedby={descriptionId}
          onChange={(event) => {
            onChange(event.target.checked);
          }}
        />
      </div>
      {children}
    </div>
  );
}

/** Where the browser stands on showing notifications, and the button to ask. */
function BrowserPermission({ wanted }: { wanted: boolean }) {
  const { permission, requestPermission } = useNotifications();
  const [asking, setAsking] = useState(false);
  if (permission === 'unsupported') {
    return <p className={styles.note}>This browser can&apos;t show notifications, so this setting has no effect here.</p>;
  }
  if (permission === 'granted') {
    return (
      <p className={styles.noteOk}>
        {wanted
          ? 'This browser is allowed to show notifications.'
          : 'This browser is allowed to show notifications; turn the switch on to get them.'}
      </p>
    );
  }
  if (permission === 'denied') {
    return (
      <p className={styles.noteWarn} role="status">
        Notifications are blocked for this site in your browser. To get them, allow notifications in the
        browser&apos;s site settings (the icon left of the address), then come back to this page.
      </p>
    );
  }
  return (
    <div className={styles.permission}>
      <p className={styles.note}>Your browser asks you once before this site may show notifications.</p>
      <Button
        variant="secondary"
        size="small"
        busy={asking}
        onClick={async () => {
          setAsking(true);
          try {
            await requestPermission();
          } finally {
            setAsking(false);
          }
        }}
      >
        Allow browser notifications
      </Button>
    </div>
  );
}

function TestSound() {
  const { playTestSound } = useNotifications();
  const [failed, setFailed] = useState(false);
  return (
    <div className={styles.permission}>
      <Button
        variant="secondary"
        size="small"
        onClick={async () => {
          setFailed(!(await playTestSound()));
        }}
      >
        Play test sound
      </Button>
      {failed && (
        <p className={styles.noteWarn} role="status">
          This browser didn&apos;t play the sound.
        </p>
      )}
    </div>
  );
}

/** `/settings/notifications`: how I am told about new messages, saved on the server. */
export function NotificationSettingsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const enabled = useSupportChatEnabled();
  const query = useQuery(preferencesQuery(api, enabled));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const inFlight = useRef(0);

  const mutation = useMutation({
    mutationFn: (patch: PreferencesPatch) => savePreferences(api, patch),
    onMutate: async (patch) => {
      inFlight.current += 1;
      setError(null);
      setSaved(false);
      await queryClient.cancelQueries({ queryKey: preferencesKey });
      const before = queryClient.getQueryData<NotificationPreferences>(preferencesKey) ?? DEFAULT_PREFERENCES;
      queryClient.setQueryData(preferencesKey, mergePreferences(before, patch));
      return { before };
    },
    onSuccess: (prefs) => {
      // An older answer must not undo a newer switch still on its way.
      if (inFlight.current === 1) queryClient.setQueryData(preferencesKey, prefs);
      broadcast(prefs);
      setSaved(true);
    },
    onError: (err, patch, context) => {
      // Put back what this change touched; the server has the rest.
      const current = queryClient.getQueryData<NotificationPreferences>(preferencesKey);
      if (context !== undefined && current !== undefined) {
        const undo: PreferencesPatch = {};
        if (patch.browser !== undefined) undo.browser = context.before.browser;
        if (patch.sound !== undefined) undo.sound = context.before.sound;
        if (patch.emailUrgent !== undefined) undo.emailUrgent = context.before.emailUrgent;
        queryClient.setQueryData(preferencesKey, mergePreferences(current, undo));
      }
      setError(saveErrorText(err));
    },
    onSettled: () => {
      inFlight.current -= 1;
    },
  });

  const save = (patch: PreferencesPatch) => {
    mutation.mutate(patch);
  };

  let body;
  if (!enabled) {
    body = (
      <EmptyState
        title="Support chat is turned off"
        action={
          <ButtonLink to="/" variant="secondary">
            Go to the home page
          </ButtonLink>
        }
      >
        Notifications come from support chat, which isn&apos;t available for your account right now.
      </EmptyState>
    );
  } else if (query.isPending) {
    body = (
      <p role="status" className={styles.note}>
        Loading your settings…
      </p>
    );
  } else if (query.data === undefined) {
    body = (
      <EmptyState
        role="alert"
        title="Couldn't load your notification settings"
        action={
          <Button variant="secondary" busy={query.isRefetching} onClick={() => void query.refetch()}>
            Try again
          </Button>
        }
      >
        {loadErrorText(query.error, 'your notification settings')}
      </EmptyState>
    );
  } else {
    const prefs = query.data;
    body = (
      <>
        <div className={styles.card}>
          <Switch
            label="Browser notifications"
            description="Show a notification from your browser when a message arrives while this tab is in the background."
            checked={prefs.browser}
            onChange={(browser) => {
              save({ browser });
            }}
          >
            <BrowserPermission wanted={prefs.browser} />
          </Switch>
          <Switch
            label="Sound"
            description="Play a short, quiet tone when a message arrives (once per burst of messages)."
            checked={prefs.sound}
            onChange={(sound) => {
              save({ sound });
            }}
          >
            <TestSound />
          </Switch>
          <Switch
            label="Email me about urgent conversations"
            description={
              <>
                Your choice is saved, but <strong>email isn&apos;t sent yet</strong>: this version of
                support-chat can&apos;t send email.
              </>
            }
            checked={prefs.emailUrgent}
            onChange={(emailUrgent) => {
              save({ emailUrgent });
            }}
          />
        </div>
        <div className={styles.feedback}>
          {error !== null && <Alert>{error}</Alert>}
          <p role="status" className={styles.saved}>
            {saved && error === null ? 'Your settings are saved.' : ''}
          </p>
        </div>
        <p className={styles.note}>
          These settings follow you to every browser and device you sign in from. New-message pop-ups
          inside the app are always on; they never show for the conversation you are looking at.
        </p>
      </>
    );
  }

  return (
    <>
      <title>Notification settings · support-chat</title>
      <div className={styles.page}>
        <h1 className={styles.title}>Notification settings</h1>
        <p className={styles.lead}>How support-chat tells you about new messages.</p>
        {body}
      </div>
    </>
  );
}
