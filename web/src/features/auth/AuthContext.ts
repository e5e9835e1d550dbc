import { createContext, useContext } from 'react';
import type { ApiError, LoginRequest, RegisterRequest, User } from '../../api/client';

export type AuthState =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; user: User; features: Readonly<Record<string, boolean>> }
  /** The session could not be checked (server down): neither signed in nor out. */
  | { status: 'error'; error: ApiError | Error; retry: () => void };

export interface AuthContextValue {
  state: AuthState;
  signIn: (credentials: LoginRequest) => Promise<void>;
  signUp: (account: RegisterRequest) => Promise<void>;
  signOut: () => Promise<void>;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

/** The session and the actions that change it. Throws outside `AuthProvider`. */
export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}

/** The signed-in user; for pages behind `RequireAuth`. */
export function useCurrentUser(): User {
  const { state } = useAuth();
  if (state.status !== 'signedIn') throw new Error('useCurrentUser needs a signed-in session');
  return state.user;
}
