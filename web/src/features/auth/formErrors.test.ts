import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { formErrorsFrom } from './formErrors';

const FIELDS = ['email', 'password'] as const;

describe('formErrorsFrom', () => {
  it('places validation messages under their fields', () => {
    const error = new ApiError(400, 'validation_failed', 'Some fields are invalid', {
      email: 'Enter a valid email address',
    });
    expect(formErrorsFrom(error, FIELDS)).toEqual({
      fields: { email: 'Enter a valid email address' },
      general: null,
    });
  });

  it('uses the error message as the general line when no field is named', () => {
    const error = new ApiError(409, 'conflict', 'An account with this email already exists');
    expect(formErrorsFrom(error, FIELDS)).toEqual({
      fields: {},
      general: 'An account with this email already exists',
    });
  });

  it('keeps messages for fields the form does not show', () => {
    const error = new ApiError(400, 'validation_failed', 'Some fields are invalid', {
      password: 'Use at least 8 characters',
      captcha: 'Solve the captcha',
    });
    expect(formErrorsFrom(error, FIELDS)).toEqual({
      fields: { password: 'Use at least 8 characters' },
      general: 'Solve the captcha',
    });
  });

  it('gives a generic line for errors that are not API errors', () => {
    expect(formErrorsFrom(new TypeError('boom'), FIELDS).general).toBe(
      'Something went wrong. Please try again.',
    );
  });
});
