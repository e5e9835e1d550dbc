import { Link, useSearchParams } from 'react-router';
import { useAuth } from './AuthContext';
import { AuthLayout } from './AuthLayout';
import { LoginForm } from './LoginForm';
import { withNext } from './nextPath';

/** `/login`. On success `GuestOnly` moves on to `?next=`. */
export function LoginPage() {
  const { signIn } = useAuth();
  const [params] = useSearchParams();
  return (
    <AuthLayout
      title="Sign in"
      subtitle="Welcome back. Sign in to reach support."
      footer={
        <>
          New here? <Link to={withNext('/register', params.get('next'))}>Create an account</Link>
        </>
      }
    >
      <LoginForm onSubmit={signIn} />
    </AuthLayout>
  );
}
