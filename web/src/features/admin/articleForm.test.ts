import { describe, expect, it } from 'vitest';
import type { Article } from '../../api/knowledge';
import { articleProblems, draftOf, EMPTY_DRAFT, isDirty, matchesFilter, parseTags, requestOf, type ArticleDraft } from './articleForm';

const valid: ArticleDraft = {
  title: 'Resetting your password',
  slug: '',
  tags: 'account, password',
  body: '# Reset\n\nUse the link on the sign-in page.',
  published: true,
};

const article: Article = {
  id: 4,
  slug: 'reset-password',
  title: 'Resetting your password',
  body: '# Reset',
  tags: ['account', 'password'],
  published: false,
  createdAt: '2026-11-24T10:00:00Z',
  updatedAt: '2026-11-24T10:00:00Z',
};

describe('articleProblems', () => {
  it('accepts a complete article with no slug', () => {
    expect(articleProblems(valid)).toEqual({});
  });

  it('asks for a title and a body', () => {
    expect(articleProblems(EMPTY_DRAFT)).toEqual({ title: 'Enter a title', body: 'Write the article' });
    expect(articleProblems({ ...valid, title: '   ', body: '\n\n' })).toEqual({
      title: 'Enter a title',
      body: 'Write the article',
    });
  });

  it('counts characters as the server does (code points, after trimming)', () => {
    expect(articleProblems({ ...valid, title: `  ${'é'.repeat(200)}  ` })).toEqual({});
    expect(articleProblems({ ...valid, title: '😀'.repeat(201) }).title).toBe(
      'Titles can be at most 200 characters (this one has 201)',
    );
    expect(articleProblems({ ...valid, body: 'x'.repeat(100_001) }).body).toBe(
      'Articles can be at most 100,000 characters (this one has 100,001)',
    );
  });

  it('checks a slug only when one is given', () => {
    expect(articleProblems({ ...valid, slug: 'reset-your-password' })).toEqual({});
    for (const slug of ['Reset', 'reset--password', '-reset', 'reset-', 'reset password', 'réinitialiser', 'a'.repeat(121)]) {
      expect(articleProblems({ ...valid, slug }).slug, slug).toMatch(/lower-case letters, digits and single dashes/);
    }
  });

  it('limits the number and length of tags', () => {
    const many = Array.from({ length: 21 }, (_, i) => `t${i}`).join(', ');
    expect(articleProblems({ ...valid, tags: many }).tags).toBe('At most 20 tags (there are 21)');
    expect(articleProblems({ ...valid, tags: `ok, ${'x'.repeat(51)}` }).tags).toMatch(/at most 50 characters/);
    // Repeats count once, as the server keeps one.
    const repeated = Array.from({ length: 25 }, () => 'same').join(',');
    expect(articleProblems({ ...valid, tags: repeated })).toEqual({});
  });
});

describe('parseTags', () => {
  it('trims, lower-cases, drops empty entries and repeats, and keeps the order', () => {
    expect(parseTags(' Billing,  invoices,,billing , REFUNDS ,')).toEqual(['billing', 'invoices', 'refunds']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('requestOf', () => {
  it('trims the text, splits the tags and leaves an empty slug out', () => {
    expect(requestOf({ ...valid, title: '  Resetting your password ', body: '\nBody\n' })).toEqual({
      title: 'Resetting your password',
      body: 'Body',
      tags: ['account', 'password'],
      published: true,
    });
  });

  it('sends a given slug and a draft state', () => {
    expect(requestOf({ ...valid, slug: ' reset-password ', published: false })).toMatchObject({
      slug: 'reset-password',
      published: false,
    });
  });
});

describe('draftOf and isDirty', () => {
  it('fills the form from an article and notices changes that matter', () => {
    const draft = draftOf(article);
    expect(draft).toEqual({ title: article.title, slug: 'reset-password', tags: 'account, password', body: '# Reset', published: false });
    expect(isDirty(draft, draft)).toBe(false);
    expect(isDirty({ ...draft, tags: 'account,password ' }, draft)).toBe(false);
    expect(isDirty({ ...draft, published: true }, draft)).toBe(true);
    expect(isDirty({ ...draft, body: '# Reset!' }, draft)).toBe(true);
  });
});

describe('matchesFilter', () => {
  it('matches the title (any case), the slug or a tag', () => {
    expect(matchesFilter(article, '')).toBe(true);
    expect(matchesFilter(article, 'RESETTING')).toBe(true);
    expect(matchesFilter(article, 'reset-pass')).toBe(true);
    expect(matchesFilter(article, 'account')).toBe(true);
    expect(matchesFilter(article, 'billing')).toBe(false);
  });
});
