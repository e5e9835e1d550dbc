import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { SupportGate } from '../support/SupportGate';
import { RequireAdmin } from './RequireAdmin';

// Loaded on demand: end users never download the admin pages.
const AdminDashboardPage = lazy(() => import('./AdminDashboardPage').then((m) => ({ default: m.AdminDashboardPage })));
const AdminSupportPage = lazy(() => import('./AdminSupportPage').then((m) => ({ default: m.AdminSupportPage })));
const AdminConversationPage = lazy(() =>
  import('./AdminConversationPage').then((m) => ({ default: m.AdminConversationPage })),
);
const FeaturesPage = lazy(() => import('./FeaturesPage').then((m) => ({ default: m.FeaturesPage })));
const KnowledgeBasePage = lazy(() => import('./KnowledgeBasePage').then((m) => ({ default: m.KnowledgeBasePage })));
const ArticleEditorPage = lazy(() => import('./ArticleEditorPage').then((m) => ({ default: m.ArticleEditorPage })));

/**
 * `/admin`, `/admin/support`, `/admin/support/:id`, `/admin/features` and
 * `/admin/knowledge-base` (`/new`, `/:id`), for admins only.
 */
export const adminRoutes: RouteObject = {
  path: '/admin',
  element: <RequireAdmin />,
  children: [
    { index: true, element: <AdminDashboardPage /> },
    {
      path: 'support',
      element: <SupportGate />,
      children: [
        { index: true, element: <AdminSupportPage /> },
        { path: ':id', element: <AdminConversationPage /> },
      ],
    },
    { path: 'features', element: <FeaturesPage /> },
    { path: 'knowledge-base', element: <KnowledgeBasePage /> },
    { path: 'knowledge-base/new', element: <ArticleEditorPage /> },
    { path: 'knowledge-base/:id', element: <ArticleEditorPage /> },
  ],
};
