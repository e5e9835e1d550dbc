import { isRouteErrorResponse, useRouteError } from 'react-router';
import { Button } from '../ui/Button';
import { FullPageMessage } from '../ui/FullPageStatus';
import { NotFoundPage } from './NotFoundPage';

/** Shown instead of a page that threw while rendering. */
export function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  return (
    <FullPageMessage
      title="Something went wrong"
      action={
        <Button variant="secondary" onClick={() => {
            window.location.reload();
          }}>
          Reload the page
        </Button>
      }
    >
      This page ran into a problem. Reloading usually fixes it.
    </FullPageMessage>
  );
}
