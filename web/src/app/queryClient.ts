import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/client';
import { meQueryKey } from '../features/auth/authApi';

const MAX_RETRIES = 2;

/**
 * The app's query client. A 401 from any call means the session ended, so the auth state flips
 * to signed out (and the route guard sends the person to sign in). Client errors are not retried.
 */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: onApiError }),
    mutationCache: new MutationCache({ onError: onApiError }),
    defaultOptions: {
      queries: {
        retry: (failures, error) =>
          failures < MAX_RETRIES && !(isApiError(error) && error.status >= 400 && error.status < 500),
      },
    },
  });

  function onApiError(error: Error) {
    if (isApiError(error, 401)) client.setQueryData(meQueryKey, null);
  }

  return client;
}
