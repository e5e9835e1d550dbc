import { keepPreviousData, queryOptions, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { fetchAdmins, fetchFlags, fetchQueue, fetchStats, type QueueFilters } from '../../api/admin';
import type { Api } from '../../api/client';
import { adminKeys } from '../../api/queryKeys';
import { useConnectionStatus } from '../../realtime/RealtimeContext';

/**
 * A safety net under the live updates: admins get no event for a message in a conversation that
 * is assigned to someone else, so visible queue pages and stats also refresh this often.
 */
export const ADMIN_POLL_MS = 60_000;

export function queueQueryOptions(api: Api, filters: QueueFilters, selfId: number) {
  return queryOptions({
    queryKey: adminKeys.queue(filters, selfId),
    queryFn: ({ signal }) => fetchQueue(api, filters, selfId, signal),
    // Another filter keeps the old rows on screen (dimmed) until the new ones arrive.
    placeholderData: keepPreviousData,
    refetchInterval: ADMIN_POLL_MS,
  });
}

export function statsQueryOptions(api: Api) {
  return queryOptions({
    queryKey: adminKeys.stats(),
    queryFn: ({ signal }) => fetchStats(api, signal),
    refetchInterval: ADMIN_POLL_MS,
  });
}

export function adminsQueryOptions(api: Api) {
  return queryOptions({
    queryKey: adminKeys.admins(),
    queryFn: ({ signal }) => fetchAdmins(api, signal),
    staleTime: 5 * 60_000,
  });
}

export function flagsQueryOptions(api: Api) {
  return queryOptions({
    queryKey: adminKeys.flags(),
    queryFn: ({ signal }) => fetchFlags(api, signal),
  });
}

/** After the socket comes back, events may have been missed: refresh the queue and stats. */
export function useRefreshOnReconnect(): void {
  const connection = useConnectionStatus();
  const queryClient = useQueryClient();
  const wasConnected = useRef(connection === 'connected');
  useEffect(() => {
    const connected = connection === 'connected';
    if (connected && !wasConnected.current) {
      void queryClient.invalidateQueries({ queryKey: adminKeys.queues() });
      void queryClient.invalidateQueries({ queryKey: adminKeys.stats() });
    }
    wasConnected.current = connected;
  }, [connection, queryClient]);
}
