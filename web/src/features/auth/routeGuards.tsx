import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation, useSearchParams } from 'react-router';
import { Button } from '../../ui/Button';
import { FullPageLoading, FullPageMessage } from '../../ui/FullPageStatus';
import { useAuth, type AuthState } from './AuthContext';
import { loginPathFor, safeNextPath } from './nextPath';

function SessionUnavailable({ state }: { state: Extract<AuthState, { status: 'error' }> }) {
  return (
    <FullPageMessage
      title="Can't load your session"
      action={
        <Button variant="secondary" onClick={state.retry}>
          Try again
        </Button>
      }
    >
      {state.error.message}
    </FullPageMessage>
  );
}

/** Layout route for signed-in pages: signed-out visitors go to `/login?next=<here>`. */
export function RequireAuth() {
  const { state } = useAuth();
  const location = useLocation();
  switch (state.status) {
    case 'loading':
      return <FullPageLoading label="Checking your session" />;
    case 'error':
      return <SessionUnavailable state={state} />;
    case 'signedOut':
      return <Navigate to={loginPathFor(location.pathname + location.search + location.hash)} replace />;
    case 'signedIn':
      return <Outlet />;
  }
}

/** Wraps the sign-in and sign-up pages: a signed-in visitor goes on to `?next=` (or `/`). */
export function GuestOnly({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const [params] = useSearchParams();
  if (state.status === 'loading') return <FullPageLoading label="Checking your session" />;
  if (state.status === 'signedIn') return <Navigate to={safeNextPath(params.get('next'))} replace />;
  return children;
}
