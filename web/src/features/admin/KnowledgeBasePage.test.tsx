import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Article } from '../../api/knowledge';
import { fakeServer, json, renderWithApp } from '../support/testUtils';
import { ArticleEditorPage } from './ArticleEditorPage';
import { KnowledgeBasePage } from './KnowledgeBasePage';
import { ADA } from './testData';

afterEach(cleanup);

const routes = [
  { path: '/admin/knowledge-base', element: <KnowledgeBasePage /> },
  { path: '/admin/knowledge-base/new', element: <ArticleEditorPage /> },
  { path: '/admin/knowledge-base/:id', element: <ArticleEditorPage /> },
];

function article(overrides: Partial<Article> & { id: number }): Article {
  return {
    slug: `article-${overrides.id}`,
    title: `Article ${overrides.id}`,
    body: '# Heading\n\nText.',
    tags: [],
    published: true,
    createdAt: '2026-11-24T10:00:00Z',
    updatedAt: '2026-11-24T10:00:00Z',
    ...overrides,
  };
}

const RESET = article({ id: 1, title: 'Resetting your password', slug: 'reset-password', tags: ['account', 'password'] });
const REFUNDS = article({ id: 2, title: 'Refunds', slug: 'refunds', tags: ['billing'], published: false });

function listPage(articles: Article[]) {
  return json({ articles, pagination: { page: 1, pageSize: 100, total: articles.length, hasMore: false } });
}

describe('KnowledgeBasePage', () => {
  it('lists every article with its tags, state and a filter', async () => {
    const { api } = fakeServer({ 'GET /api/admin/kb/articles': () => listPage([RESET, REFUNDS]) });
    renderWithApp({ path: '/admin/knowledge-base', routes, api, user: ADA });

    const row = await screen.findByRole('row', { name: /Resetting your password/ });
    expect(within(row).getByText('Published')).toBeTruthy();
    expect(within(within(row).getByRole('list', { name: 'Tags' })).getByText('password')).toBeTruthy();
    expect(within(screen.getByRole('row', { name: /Refunds/ })).getByText('Draft')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Resetting your password' }).getAttribute('href')).toBe('/admin/knowledge-base/1');

    fireEvent.click(screen.getByRole('button', { name: 'Drafts' }));
    expect(screen.queryByRole('row', { name: /Resetting your password/ })).toBeNull();
    expect(screen.getByText('1 of 2 articles shown')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'All' }));
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter articles' }), { target: { value: 'password' } });
    expect(screen.getByRole('row', { name: /Resetting your password/ })).toBeTruthy();
    expect(screen.queryByRole('row', { name: /Refunds/ })).toBeNull();
  });

  it('invites the first article when there are none', async () => {
    const { api } = fakeServer({ 'GET /api/admin/kb/articles': () => listPage([]) });
    renderWithApp({ path: '/admin/knowledge-base', routes, api, user: ADA });
    expect(await screen.findByRole('heading', { name: 'No articles yet' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Write the first article' }).getAttribute('href')).toBe('/admin/knowledge-base/new');
  });
});

describe('ArticleEditorPage', () => {
  it('checks the form before sending, and shows the server’s field errors on their fields', async () => {
    const { api, requests } = fakeServer({
      'GET /api/admin/kb/articles': () => listPage([RESET]),
      'POST /api/admin/kb/articles': () =>
        json(
          { error: { code: 'conflict', message: 'Another article already uses this slug.', fields: { slug: 'slug "refunds" is taken' } } },
          409,
        ),
    });
    renderWithApp({ path: '/admin/knowledge-base/new', routes, api, user: ADA });

    fireEvent.click(await screen.findByRole('button', { name: 'Create article' }));
    const title = screen.getByRole('textbox', { name: 'Title' });
    expect(title.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter a title')).toBeTruthy();
    expect(screen.getByText('Write the article')).toBeTruthy();
    expect(document.activeElement).toBe(title);
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);

    fireEvent.change(title, { target: { value: 'Refunds' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Slug' }), { target: { value: 'refunds' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Tags' }), { target: { value: 'Billing, money' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Body (Markdown)' }), { target: { value: '# Refunds\n\nWithin 14 days.' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Published' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create article' }));

    const slug = screen.getByRole('textbox', { name: 'Slug' });
    await waitFor(() => { expect(slug.getAttribute('aria-invalid')).toBe('true'); });
    expect(screen.getByText('slug "refunds" is taken')).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      title: 'Refunds',
      slug: 'refunds',
      tags: ['billing', 'money'],
      body: '# Refunds\n\nWithin 14 days.',
      published: false,
    });
  });

  it('creates an article and goes back to the list, saying so', async () => {
    const created = article({ id: 3, title: 'Refunds', slug: 'refunds' });
    const { api } = fakeServer({
      'GET /api/admin/kb/articles': () => listPage([created]),
      'POST /api/admin/kb/articles': () => json(created, 201),
    });
    const { router } = renderWithApp({ path: '/admin/knowledge-base/new', routes, api, user: ADA });
    fireEvent.change(await screen.findByRole('textbox', { name: 'Title' }), { target: { value: 'Refunds' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Body (Markdown)' }), { target: { value: 'Within 14 days.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create article' }));
    expect((await screen.findByText('Created “Refunds”.')).getAttribute('role')).toBe('status');
    expect(router.state.location.pathname).toBe('/admin/knowledge-base');
    expect(await screen.findByRole('row', { name: /Refunds/ })).toBeTruthy();
  });

  it('edits an article, and deletes it only after a confirmation', async () => {
    let current = RESET;
    const { api, requests } = fakeServer({
      'GET /api/admin/kb/articles': () => listPage([]),
      'GET /api/admin/kb/articles/1': () => json({ ...current, bodyHtml: '<h1>Heading</h1>\n<p>Text.</p>\n' }),
      'PUT /api/admin/kb/articles/1': async (request) => {
        const body = (await request.json()) as { title: string; published: boolean };
        current = { ...current, title: body.title, published: body.published };
        return json(current);
      },
      'DELETE /api/admin/kb/articles/1': () => new Response(null, { status: 204 }),
    });
    const { router } = renderWithApp({ path: '/admin/knowledge-base/1', routes, api, user: ADA });

    const title = await screen.findByRole<HTMLInputElement>('textbox', { name: 'Title' });
    expect(title.value).toBe('Resetting your password');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Save changes' }).disabled).toBe(true);
    fireEvent.change(title, { target: { value: 'Reset your password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved. Users and the assistant see the new version.')).toBeTruthy();
    expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({
      title: 'Reset your password',
      slug: 'reset-password',
      tags: ['account', 'password'],
      body: '# Heading\n\nText.',
      published: true,
    });

    expect(screen.getByText('Preview as users see it (the saved version)')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Heading' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Delete article' }));
    const confirm = screen.getByRole('alertdialog');
    expect(confirm.textContent).toContain('Delete “Reset your password” for good?');
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Delete article' }));

    fireEvent.click(screen.getByRole('button', { name: 'Delete article' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, delete it' }));
    expect((await screen.findByText('Deleted “Reset your password”.')).getAttribute('role')).toBe('status');
    expect(router.state.location.pathname).toBe('/admin/knowledge-base');
    expect(requests.some((r) => r.method === 'DELETE' && r.url.pathname === '/api/admin/kb/articles/1')).toBe(true);
  });
});
