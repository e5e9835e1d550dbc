import { createBrowserRouter } from 'react-router';
import { adminRoutes } from '../features/admin/routes';
import { AssistantPage } from '../features/assistant/AssistantPage';
import { LoginPage } from '../features/auth/LoginPage';
import { RegisterPage } from '../features/auth/RegisterPage';
import { GuestOnly, RequireAuth } from '../features/auth/routeGuards';
import { ArticlePage } from '../features/help/ArticlePage';
import { HomePage } from '../features/home/HomePage';
import { NotificationSettingsPage } from '../features/notifications/NotificationSettingsPage';
import { ConversationPage } from '../features/support/ConversationPage';
import { ConversationsPage } from '../features/support/ConversationsPage';
import { NewConversationPage } from '../features/support/NewConversationPage';
import { SupportGate } from '../features/support/SupportGate';
import { AppShell } from './AppShell';
import { NotFoundPage } from './NotFoundPage';
import { RouteError } from './RouteError';

export function createAppRouter() {
  return createBrowserRouter([
    {
      errorElement: <RouteError />,
      children: [
        {
          path: '/login',
          element: (
            <GuestOnly>
              <LoginPage />
            </GuestOnly>
          ),
        },
        {
          path: '/register',
          element: (
            <GuestOnly>
              <RegisterPage />
            </GuestOnly>
          ),
        },
        {
          element: <RequireAuth />,
          children: [
            {
              element: <AppShell />,
              children: [
                { index: true, element: <HomePage /> },
                { path: '/settings/notifications', element: <NotificationSettingsPage /> },
                {
                  path: '/support',
                  element: <SupportGate />,
                  children: [
                    { index: true, element: <ConversationsPage /> },
                    { path: 'new', element: <NewConversationPage /> },
                    { path: ':id', element: <ConversationPage /> },
                  ],
                },
                // One route for a new chat and an open one (see AssistantPage).
                { path: '/assistant/:sessionId?', element: <AssistantPage /> },
                { path: '/help/articles/:id', element: <ArticlePage /> },
                adminRoutes,
              ],
            },
          ],
        },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
