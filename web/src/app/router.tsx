import { createBrowserRouter } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { RegisterPage } from '../features/auth/RegisterPage';
import { GuestOnly, RequireAuth } from '../features/auth/routeGuards';
import { HomePage } from '../features/home/HomePage';
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
          children: [{ element: <AppShell />, children: [{ index: true, element: <HomePage /> }] }],
        },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
