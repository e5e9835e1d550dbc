import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArticleView } from '../../api/knowledge';
import { fakeServer, json, renderWithApp } from '../support/testUtils';
import { ArticlePage } from './ArticlePage';

afterEach(cleanup);

const ARTICLE: ArticleView = {
  id: 4,
  slug: 'notifications',
  title: 'Notifications and unread messages',
  body: '# Browser notifications\n\nAllow them **once**.',
  bodyHtml: '<h1>Browser notifications</h1>\n<p>Allow them <strong>once</strong>.</p>\n',
  tags: ['notifications', 'browser'],
  published: true,
  createdAt: '2026-11-24T10:00:00Z',
  updatedAt: '2026-11-24T10:00:00Z',
};

const routes = [
  { path: '/help/articles/:id', element: <ArticlePage /> },
  { path: '/assistant/:sessionId?', element: <p>Assistant page</p> },
];

describe('ArticlePage', () => {
  it('shows the article with its HTML as the server rendered it, and goes back to the chat it came from', async () => {
    const { api } = fakeServer({ 'GET /api/kb/articles/4': () => json(ARTICLE) });
    const { router } = renderWithApp({ path: '/help/articles/4', routes, api });
    const article = await screen.findByRole('article');
    expect(within(article).getByRole('heading', { level: 1, name: 'Notifications and unread messages' })).toBeTruthy();
    expect(within(article).getByRole('heading', { name: 'Browser notifications' })).toBeTruthy();
    expect(within(article).getByText('once').tagName).toBe('STRONG');
    expect(within(within(article).getByRole('list', { name: 'Tags' })).getByText('browser')).toBeTruthy();

    await router.navigate('/help/articles/4', { state: { back: '/assistant/9' } });
    // The link is on the page before the navigation re-renders it with the new state.
    const back = () => screen.getByRole('link', { name: 'Back to the assistant' });
    await waitFor(() => {
      expect(back().getAttribute('href')).toBe('/assistant/9');
    });
    fireEvent.click(back());
    await screen.findByText('Assistant page');
    expect(router.state.location.pathname).toBe('/assistant/9');
  });

  it('says so when the article is missing or a draft', async () => {
    const { api } = fakeServer({});
    renderWithApp({ path: '/help/articles/5', routes, api });
    expect(await screen.findByRole('heading', { name: 'Article not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Ask the assistant' }).getAttribute('href')).toBe('/assistant');
  });
});
