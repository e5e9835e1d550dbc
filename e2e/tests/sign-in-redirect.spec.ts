import { ApiSession, newAccount } from '../support/api';
import { expect, test } from '../support/fixtures';
import { signInThroughForm, snap } from '../support/ui';

// One visit per page: each gets its own server and a browser that has never signed in.
const PAGES = [
  { path: '/', shows: (name: string) => ({ role: 'heading', name: `Hello, ${name}` }) as const },
  { path: '/support', shows: () => ({ role: 'heading', name: 'Support', exact: true }) as const },
  { path: '/support/1', shows: () => ({ role: 'heading', name: 'My invoice is wrong' }) as const },
];

for (const { path, shows } of PAGES) {
  test(`a signed-out visit to ${path} goes to the sign-in page and comes back there after signing in`, async ({
    page,
    playwright,
    baseURL,
  }) => {
    // The account (and its conversation 1) is made outside the browser, which stays signed out.
    const account = newAccount('Robin Redirect');
    const outside = await playwright.request.newContext({ baseURL });
    try {
      const api = await ApiSession.register(outside, account);
      const created = await api.openConversation('My invoice is wrong', 'The total counts one item twice.');
      expect(created.conversation.id).toBe(1);
    } finally {
      await outside.dispose();
    }

    await page.goto(path);
    await expect(page).toHaveURL((url) => url.pathname === '/login' && url.searchParams.get('next') === path);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    if (path === '/') await snap(page, 'login');

    await signInThroughForm(page, account);
    await expect(page).toHaveURL((url) => url.pathname === path && url.search === '');
    const { role, ...name } = shows(account.name);
    await expect(page.getByRole(role, name)).toBeVisible();
  });
}
