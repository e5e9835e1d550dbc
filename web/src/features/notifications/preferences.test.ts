import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, mergePreferences } from './preferences';

describe('mergePreferences', () => {
  it('changes only the settings present in the patch', () => {
    expect(mergePreferences(DEFAULT_PREFERENCES, { sound: false })).toEqual({
      browser: true,
      sound: false,
      emailUrgent: false,
    });
    expect(mergePreferences({ browser: false, sound: false, emailUrgent: true }, { browser: true })).toEqual({
      browser: true,
      sound: false,
      emailUrgent: true,
    });
  });

  it('keeps everything for an empty patch and takes a full one whole', () => {
    const current = { browser: false, sound: true, emailUrgent: true };
    expect(mergePreferences(current, {})).toEqual(current);
    expect(mergePreferences(current, { browser: true, sound: false, emailUrgent: false })).toEqual({
      browser: true,
      sound: false,
      emailUrgent: false,
    });
  });

  it('starts from the server defaults: browser and sound on, email off', () => {
    expect(DEFAULT_PREFERENCES).toEqual({ browser: true, sound: true, emailUrgent: false });
  });
});
