import { ApiError } from '../../api/errors';

export interface FormErrors<Field extends string> {
  fields: Partial<Record<Field, string>>;
  /** A message for the whole form, or null when the field messages say it all. */
  general: string | null;
}

/**
 * Splits a failed submission into messages under the form's own fields and one general line.
 * Field messages for fields the form does not show are folded into the general line so none is lost.
 */
export function formErrorsFrom<Field extends string>(
  error: unknown,
  formFields: readonly Field[],
): FormErrors<Field> {
  if (!(error instanceof ApiError)) {
    return { fields: {}, general: 'Something went wrong. Please try again.' };
  }
  const fields: Partial<Record<Field, string>> = {};
  const unplaced: string[] = [];
  for (const [name, message] of Object.entries(error.fields)) {
    const field = formFields.find((f) => f === name);
    if (field === undefined) unplaced.push(message);
    else fields[field] = message;
  }
  const placedAny = Object.keys(fields).length > 0;
  let general: string | null;
  if (unplaced.length > 0) general = unplaced.join(' ');
  else if (placedAny) general = null;
  else general = error.message;
  return { fields, general };
}
