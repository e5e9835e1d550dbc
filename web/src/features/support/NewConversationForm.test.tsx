import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { isClientMessageId } from '../../realtime/clientMessageId';
import { NewConversationForm, type NewConversationValues } from './NewConversationForm';

afterEach(cleanup);

function fill(subject: string, body: string) {
  fireEvent.change(screen.getByLabelText('Subject'), { target: { value: subject } });
  fireEvent.change(screen.getByLabelText('Message'), { target: { value: body } });
}

describe('NewConversationForm', () => {
  it('sends the trimmed subject, message and chosen priority', async () => {
    const onSubmit = vi.fn<(v: NewConversationValues) => Promise<void>>().mockResolvedValue();
    render(<NewConversationForm onSubmit={onSubmit} />);

    fill('  Refund  ', '  Please refund order 12.  ');
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: 'urgent' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));

    await vi.waitFor(() => {
      expect(onSubmit).toHaveBeenCalledTimes(1);
    });
    const values = onSubmit.mock.calls[0]?.[0];
    expect(values).toMatchObject({ subject: 'Refund', initialMessage: 'Please refund order 12.', priority: 'urgent' });
    expect(isClientMessageId(values?.clientMessageId ?? '')).toBe(true);
  });

  it('names the missing fields without calling the server', () => {
    const onSubmit = vi.fn<(v: NewConversationValues) => Promise<void>>();
    render(<NewConversationForm onSubmit={onSubmit} />);
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Enter a subject')).toBeTruthy();
    expect(screen.getByText('Write a message')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Subject'));
  });

  it('shows the length of the message against the limit', () => {
    render(<NewConversationForm onSubmit={() => Promise.resolve()} />);
    fill('Hi', 'Hello there');
    expect(screen.getByText('11 / 10,000 characters')).toBeTruthy();
  });

  it('retries with the same clientMessageId, so a lost answer cannot open two conversations', async () => {
    const onSubmit = vi
      .fn<(v: NewConversationValues) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(0, 'network_error', "Can't reach the server."))
      .mockResolvedValueOnce();
    render(<NewConversationForm onSubmit={onSubmit} />);
    fill('Refund', 'Please refund order 12.');

    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    expect(await screen.findByRole('alert')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));

    await vi.waitFor(() => {
      expect(onSubmit).toHaveBeenCalledTimes(2);
    });
    expect(onSubmit.mock.calls[0]?.[0].clientMessageId).toBe(onSubmit.mock.calls[1]?.[0].clientMessageId);
  });

  it('puts server field errors under their fields', async () => {
    render(
      <NewConversationForm
        onSubmit={() =>
          Promise.reject(new ApiError(400, 'validation_failed', 'Invalid', { subject: 'subject must be one line' }))
        }
      />,
    );
    fill('Refund', 'Please');
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    expect(await screen.findByText('subject must be one line')).toBeTruthy();
  });
});
