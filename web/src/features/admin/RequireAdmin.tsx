import { Suspense } from 'react';
import { Outlet } from 'react-router';
import { ButtonLink } from '../../ui/ButtonLink';
import { EmptyState } from '../../ui/EmptyState';
import { useCurrentUser } from '../auth/AuthContext';
import { PageLoading } from './PageLoading';

/**
 * Layout route for `/admin*` (inside `RequireAuth`): admins see the page, everyone else a plain
 * "not available" page. The server refuses the admin API to them as well; this only keeps the
 * screen honest. The admin pages load on demand, so the fallback shows while their code arrives.
 */
export function RequireAdmin() {
  const user = useCurrentUser();
  if (user.role !== 'admin') {
    return (
      <>
        <title>Not available · support-chat</title>
        <EmptyState
          title="This page isn't available"
          action={
            <ButtonLink to="/" variant="secondary">
              Go to the home page
            </ButtonLink>
          }
        >
          The admin pages are only for support admins.
        </EmptyState>
      </>
    );
  }
  return (
    <Suspense fallback={<PageLoading label="Loading the admin pages…" />}>
      <Outlet />
    </Suspense>
  );
}
