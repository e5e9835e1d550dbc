import { Link, useSearchParams } from 'react-router';
import { useAuth } from './AuthContext';
import { AuthLayout } from './AuthLayout';
import { withNext } from './nextPath';
import { RegisterForm } from './RegisterForm';

/** `/register`. On success `GuestOnly` moves on to `?next=`. */
export function RegisterPage() {
  const { signUp } = useAuth();
  const [params] = useSearchParams();
  return (
    <AuthLayout
      title="Create your account"
      subtitle="Get help from our support team."
      footer={
        <>
          Already have an account? <Link to={withNext('/login', params.get('next'))}>Sign in</Link>
        </>
      }
    >
      <RegisterForm onSubmit={signUp} />
    </AuthLayout>
  );
}
