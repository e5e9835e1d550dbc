import { useState, type ReactNode } from 'react';
import type { Priority } from '../../api/support';
import { newClientMessageId } from '../../realtime/clientMessageId';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { SelectField } from '../../ui/SelectField';
import { TextAreaField } from '../../ui/TextAreaField';
import { TextField } from '../../ui/TextField';
import { useFormSubmit } from '../auth/useFormSubmit';
import { problems } from '../auth/validation';
import { PRIORITY_LABELS } from './format';
import { lengthHint, messageProblem, subjectProblem } from './limits';
import styles from './NewConversationForm.module.css';

const FIELDS = ['subject', 'priority', 'initialMessage'] as const;
const PRIORITIES = (Object.keys(PRIORITY_LABELS) as Priority[]).map((value) => ({
  value,
  label: PRIORITY_LABELS[value],
}));

function isPriority(value: string): value is Priority {
  return value in PRIORITY_LABELS;
}

export interface NewConversationValues {
  subject: string;
  initialMessage: string;
  priority: Priority;
  clientMessageId: string;
}

interface NewConversationFormProps {
  /** Opens the conversation; rejects with `ApiError` on failure. */
  onSubmit: (values: NewConversationValues) => Promise<void>;
  cancel?: ReactNode;
}

export function NewConversationForm({ onSubmit, cancel }: NewConversationFormProps) {
  const [subject, setSubject] = useState('');
  const [priority, setPriority] = useState<Priority>('normal');
  const [message, setMessage] = useState('');
  // One id for this form: submitting again after a lost answer opens one conversation, not two.
  const [clientMessageId] = useState(newClientMessageId);
  const { submitting, errors, submit, clearField } = useFormSubmit(FIELDS);

  return (
    <form
      className={styles.form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const clientErrors = problems({
          subject: subjectProblem(subject),
          priority: undefined,
          initialMessage: messageProblem(message),
        });
        void submit(event.currentTarget, clientErrors, () =>
          onSubmit({ subject: subject.trim(), initialMessage: message.trim(), priority, clientMessageId }),
        );
      }}
    >
      {errors.general && <Alert>{errors.general}</Alert>}
      <TextField
        label="Subject"
        name="subject"
        autoComplete="off"
        placeholder="What is it about?"
        value={subject}
        error={errors.fields.subject}
        onChange={(event) => {
          setSubject(event.target.value);
          clearField('subject');
        }}
      />
      <SelectField
        label="Priority"
        name="priority"
        options={PRIORITIES}
        value={priority}
        error={errors.fields.priority}
        onChange={(event) => {
          if (isPriority(event.target.value)) setPriority(event.target.value);
          clearField('priority');
        }}
      />
      <TextAreaField
        label="Message"
        name="initialMessage"
        placeholder="Describe your question or problem. Include what you tried and what you expected."
        rows={6}
        value={message}
        hint={lengthHint(message)}
        error={errors.fields.initialMessage}
        onChange={(event) => {
          setMessage(event.target.value);
          clearField('initialMessage');
        }}
      />
      <div className={styles.actions}>
        {cancel}
        <Button type="submit" busy={submitting}>
          Start conversation
        </Button>
      </div>
    </form>
  );
}
