/** Light checks before a request; the server stays the authority on every rule. */
export function emailProblem(email: string): string | undefined {
  const trimmed = email.trim();
  if (trimmed === '') return 'Enter your email address';
  if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) return 'Enter a valid email address';
  return undefined;
}

export function requiredProblem(value: string, message: string): string | undefined {
  return value.trim() === '' ? message : undefined;
}

/** Drops the entries without a message, so an empty object means "no problems". */
export function problems<Field extends string>(
  entries: Record<Field, string | undefined>,
): Partial<Record<Field, string>> {
  const result: Partial<Record<Field, string>> = {};
  for (const key of Object.keys(entries) as Field[]) {
    const message = entries[key];
    if (message !== undefined) result[key] = message;
  }
  return result;
}
