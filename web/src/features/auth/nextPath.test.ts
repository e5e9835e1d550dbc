import { describe, expect, it } from 'vitest';
import { loginPathFor, safeNextPath, withNext } from './nextPath';

describe('safeNextPath', () => {
  it.each([
    ['/', '/'],
    ['/support', '/support'],
    ['/support/12?tab=files#m-40', '/support/12?tab=files#m-40'],
    ['/admin/support?q=refund%20late', '/admin/support?q=refund%20late'],
  ])('keeps the same-origin path %s', (raw, expected) => {
    expect(safeNextPath(raw)).toBe(expected);
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['an absolute URL', 'https://evil.example/steal'],
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash trick', '/\\evil.example'],
    ['a leading backslash', '\\\\evil.example'],
    ['a tab that browsers drop', '/\t/evil.example'],
    ['a newline that browsers drop', '/\n/evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path without a slash', 'support'],
    ['dot segments that collapse to //', '/a/../..//evil.example'],
  ])('falls back for %s', (_, raw) => {
    expect(safeNextPath(raw)).toBe('/');
  });

  it('uses the given fallback', () => {
    expect(safeNextPath('//evil.example', '/support')).toBe('/support');
  });
});

describe('loginPathFor', () => {
  it('points at the sign-in page with the path to come back to', () => {
    expect(loginPathFor('/')).toBe('/login?next=/');
    expect(loginPathFor('/support/12')).toBe('/login?next=/support/12');
  });

  it('encodes a query so it survives as one parameter', () => {
    const login = new URL(loginPathFor('/admin/support?status=open&q=a b'), 'http://x.test');
    expect(login.pathname).toBe('/login');
    expect(login.searchParams.get('next')).toBe('/admin/support?status=open&q=a%20b');
  });
});

describe('withNext', () => {
  it('carries a safe next along', () => {
    expect(withNext('/register', '/support/3')).toBe('/register?next=/support/3');
  });

  it('drops a missing or unsafe next', () => {
    expect(withNext('/register', null)).toBe('/register');
    expect(withNext('/register', '//evil.example')).toBe('/register');
  });
});
