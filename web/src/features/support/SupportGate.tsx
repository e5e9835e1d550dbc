import { Outlet } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';

/** Whether support chat is on for this person (unknown right after sign-in counts as on). */
export function useSupportChatEnabled(): boolean {
  const { state } = useAuth();
  return state.status === 'signedIn' && state.features.support_chat !== false;
}

/** Layout route for the support pages: they exist only while the `support_chat` flag is on. */
export function SupportGate() {
  const enabled = useSupportChatEnabled();
  if (enabled) return <Outlet />;
  return (
    <>
      <title>Support chat is off · support-chat</title>
      <EmptyState
        title="Support chat is turned off"
        action={
          <ButtonLink to="/" variant="secondary">
            Go to the home page
          </ButtonLink>
        }
      >
        Support chat isn&apos;t available for your account right now.
      </EmptyState>
    </>
  );
}
