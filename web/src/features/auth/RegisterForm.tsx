import { useState } from 'react';
import type { RegisterRequest } from '../../api/client';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/TextField';
import styles from './AuthForm.module.css';
import { useFormSubmit } from './useFormSubmit';
import { emailProblem, problems, requiredProblem } from './validation';

const FIELDS = ['name', 'email', 'password'] as const;

interface RegisterFormProps {
  /** Creates the account and signs in; rejects with `ApiError` on failure. */
  onSubmit: (account: RegisterRequest) => Promise<void>;
}

export function RegisterForm({ onSubmit }: RegisterFormProps) {
  const [name, setName] = useState('');
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
          name: requiredProblem(name, 'Enter your name'),
          email: emailProblem(email),
          password: requiredProblem(password, 'Choose a password'),
        });
        void submit(event.currentTarget, clientErrors, () =>
          onSubmit({ name: name.trim(), email: email.trim(), password }),
        );
      }}
    >
      {errors.general && <Alert>{errors.general}</Alert>}
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        value={name}
        error={errors.fields.name}
        onChange={(event) => {
          setName(event.target.value);
          clearField('name');
        }}
      />
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
        autoComplete="new-password"
        value={password}
        error={errors.fields.password}
        onChange={(event) => {
          setPassword(event.target.value);
          clearField('password');
        }}
      />
      <Button type="submit" block busy={submitting} className={styles.submit}>
        Create account
      </Button>
    </form>
  );
}
