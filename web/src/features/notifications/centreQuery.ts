import { queryOptions } from '@tanstack/react-query';
import { unwrap, type Api } from '../../api/client';
import type { ConversationSummary, ConversationsResponse } from '../../api/support';

type AdminListQuery = {
  status?: 'open';
  priority?: 'urgent';
  adminId?: number;
  unassigned?: boolean;
};

function adminList(
  api: Api,
  query: AdminListQuery,
  pageSize: number,
  signal: AbortSignal,
): Promise<ConversationsResponse> {
  return unwrap(
    api.client.GET('/api/support-chat/admin/conversations', {
      params: { query: { ...query, sort: 'newest', pageSize } },
      signal,
    }),
  );
}

export interface CentreSeedData {
  rows: ConversationSummary[];
  /** When the requests started: live frames from then on apply on top of these rows. */
  fetchedAt: number;
}

export const centreKey = (adminId: number) => ['notifications', 'centre', adminId] as const;

/** The conversations the centre starts from: new (open, unassigned), urgent, and mine. */
export function centreQuery(api: Api, adminId: number, enabled: boolean) {
  return queryOptions({
    queryKey: centreKey(adminId),
    queryFn: async ({ signal }): Promise<CentreSeedData> => {
      const fetchedAt = Date.now();
      const lists = await Promise.all([
        adminList(api, { status: 'open', unassigned: true }, 10, signal),
        // These two also hold closed conversations (the centre leaves them out): ask for more.
        adminList(api, { priority: 'urgent' }, 20, signal),
        adminList(api, { adminId }, 20, signal),
      ]);
      return { rows: lists.flatMap((l) => l.conversations), fetchedAt };
    },
    enabled,
    staleTime: 30_000,
  });
}
