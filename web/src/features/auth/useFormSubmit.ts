import { useState } from 'react';
import { formErrorsFrom, type FormErrors } from './formErrors';

type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

function focusFirstInvalid<Field extends string>(
  form: HTMLFormElement,
  order: readonly Field[],
  fields: FieldErrors<Field>,
) {
  const first = order.find((name) => fields[name] !== undefined);
  if (first === undefined) return;
  const input = form.elements.namedItem(first);
  if (input instanceof HTMLElement) input.focus();
}

/**
 * Submission state for a small form: a busy flag, client-side checks, and server errors split into
 * field messages and one general line. Focus moves to the first field with an error.
 */
export function useFormSubmit<Field extends string>(formFields: readonly Field[]) {
  const [submitting, setSubmitting] = useState(false);
  const [errors, setErrors] = useState<FormErrors<Field>>({ fields: {}, general: null });

  async function submit(
    form: HTMLFormElement,
    clientErrors: FieldErrors<Field>,
    task: () => Promise<void>,
    describe: (error: unknown) => FormErrors<Field> = (error) => formErrorsFrom(error, formFields),
  ) {
    if (submitting) return;
    if (Object.keys(clientErrors).length > 0) {
      setErrors({ fields: clientErrors, general: null });
      focusFirstInvalid(form, formFields, clientErrors);
      return;
    }
    setErrors({ fields: {}, general: null });
    setSubmitting(true);
    try {
      await task();
    } catch (error) {
      const next = describe(error);
      setErrors(next);
      focusFirstInvalid(form, formFields, next.fields);
    } finally {
      setSubmitting(false);
    }
  }

  /** Hides a field's message once the person edits that field. */
  function clearField(name: Field) {
    setErrors((current) => {
      if (current.fields[name] === undefined) return current;
      const fields: FieldErrors<Field> = {};
      for (const field of formFields) {
        const message = current.fields[field];
        if (field !== name && message !== undefined) fields[field] = message;
      }
      return { ...current, fields };
    });
  }

  return { submitting, errors, submit, clearField };
}
