import { useState } from 'react';
import { isApiError, type LoginRequest } from '../../api/client';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/TextField';
import styles from './AuthForm.module.css';
import { formErrorsFrom } from './formErrors';
import { useFormSubmit } from './useFormSubmit';
import { emailProblem, problems, requiredProblem } from './validation';

const FIELDS = ['email', 'password'] as const;

export const WRONG_CREDENTIALS = 'Email or password is incorrect.';

function describeLoginError(error: unknown) {
  // A 401 from login means wrong credentials, whatever wording the server chose.
  if (isApiError(error, 401)) return { fields: {}, general: WRONG_CREDENTIALS };
  return formErrorsFrom(error, FIELDS);
}

interface LoginFormProps {
  /** Signs in; rejects with `ApiError` on failure. */
  onSubmit: (credentials: LoginRequest) => Promise<void>;
}

export function LoginForm({ onSubmit }: LoginFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { submitting, errors, submit, clearField } = useFormSubmit(FIELDS);

  return (
    <form
      className={styles.form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const clientErrors = problems({
          email: emailProblem(email),
          password: requiredProblem(password, 'Enter your password'),
        });
        void submit(
          event.currentTarget,
          clientErrors,
          () => onSubmit({ email: email.trim(), password }),
          describeLoginError,
        );
      }}
    >
      {errors.general && <Alert>{errors.general}</Alert>}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        spellCheck={false}
        value={email}
        error={errors.fields.email}
        onChange={(event) => {
          setEmail(event.target.value);
          clearField('email');
        }}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        error={errors.fields.password}
        onChange={(event) => {
          setPassword(event.target.value);
          clearField('password');
        }}
      />
      <Button type="submit" block busy={submitting} className={styles.submit}>
        Sign in
      </Button>
    </form>
  );
}
