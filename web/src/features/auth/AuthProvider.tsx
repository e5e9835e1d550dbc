import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, type ReactNode } from 'react';
import { api as defaultApi, type Api, type AuthResponse, type MeResponse } from '../../api/client';
import { AuthContext, type AuthContextValue, type AuthState } from './AuthContext';
import { fetchMe, login, logout, meQueryKey, register } from './authApi';

interface AuthProviderProps {
  children: ReactNode;
  /** For tests; defaults to the app's API client. */
  api?: Api;
}

/** Loads `/api/auth/session` at start and owns sign-in, sign-up and sign-out. */
export function AuthProvider({ children, api = defaultApi }: AuthProviderProps) {
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: meQueryKey,
    queryFn: () => fetchMe(api),
    staleTime: 5 * 60_000,
  });

  const startSession = useCallback(
    (session: AuthResponse) => {
      const me: MeResponse = { user: session.user, csrfToken: session.csrfToken, features: {} };
      queryClient.setQueryData<MeResponse | null>(meQueryKey, me);
      // Login and register answers carry no feature flags; fetch them in the background.
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
    [queryClient],
  );

  const signIn = useCallback<AuthContextValue['signIn']>(
    async (credentials) => {
      startSession(await login(api, credentials));
    },
    [api, startSession],
  );

  const signUp = useCallback<AuthContextValue['signUp']>(
    async (account) => {
      startSession(await register(api, account));
    },
    [api, startSession],
  );

  const signOut = useCallback<AuthContextValue['signOut']>(async () => {
    await logout(api);
    // Nothing of the previous user's data may outlive the session.
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
    queryClient.setQueryData<MeResponse | null>(meQueryKey, null);
  }, [api, queryClient]);

  const { data, error, refetch } = me;
  const state = useMemo<AuthState>(() => {
    if (data) return { status: 'signedIn', user: data.user, features: data.features };
    if (data === null) return { status: 'signedOut' };
    if (error) return { status: 'error', error, retry: () => void refetch() };
    return { status: 'loading' };
  }, [data, error, refetch]);

  const value = useMemo<AuthContextValue>(
    () => ({ state, signIn, signUp, signOut }),
    [state, signIn, signUp, signOut],
  );
  return <AuthContext value={value}>{children}</AuthContext>;
}
