import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import type { LoginRequest } from '../../api/client';
import { LoginForm } from './LoginForm';

afterEach(cleanup);

function fillAndSubmit(email: string, password: string) {
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

/** A promise the test settles by hand, to look at the form while the request is in flight. */
function deferred() {
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<void>((_, rej) => {
    reject = rej;
  });
  return { promise, reject };
}

describe('LoginForm', () => {
  it('shows the server field errors under their inputs', async () => {
    const onSubmit = vi.fn<(c: LoginRequest) => Promise<void>>().mockRejectedValue(
      new ApiError(400, 'validation_failed', 'Some fields are invalid', {
        email: 'No account uses this address format',
      }),
    );
    render(<LoginForm onSubmit={onSubmit} />);

    fillAndSubmit('  ana@example.com ', 'secret-password');

    const message = await screen.findByText('No account uses this address format');
    const email = screen.getByLabelText('Email');
    expect(onSubmit).toHaveBeenCalledWith({ email: 'ana@example.com', password: 'secret-password' });
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(email.getAttribute('aria-describedby')).toBe(message.id);
    expect(document.activeElement).toBe(email);
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says the credentials are wrong on a 401 and disables the button meanwhile', async () => {
    const request = deferred();
    render(<LoginForm onSubmit={() => request.promise} />);

    fillAndSubmit('ana@example.com', 'wrong');
    const button = screen.getByRole('button', { name: 'Sign in' });
    expect((button as HTMLButtonElement).disabled).toBe(true);

    await act(async () => {
      request.reject(new ApiError(401, 'unauthenticated', 'invalid credentials'));
      await Promise.resolve();
    });
    expect(screen.getByRole('alert').textContent).toBe('Email or password is incorrect.');
    expect((button as HTMLButtonElement).disabled).toBe(false);
  });

  it('asks for missing fields without calling the server', () => {
    const onSubmit = vi.fn<(c: LoginRequest) => Promise<void>>();
    render(<LoginForm onSubmit={onSubmit} />);

    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Enter your email address')).toBeTruthy();
    expect(screen.getByText('Enter your password')).toBeTruthy();
  });

  it('hides a field error once that field is edited', async () => {
    render(
      <LoginForm
        onSubmit={() =>
          Promise.reject(new ApiError(400, 'validation_failed', 'Invalid', { password: 'Too short' }))
        }
      />,
    );
    fillAndSubmit('ana@example.com', 'x');
    await screen.findByText('Too short');

    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'xy' } });

    expect(screen.queryByText('Too short')).toBeNull();
  });
});
