/**
 * The WebSocket protocol (`/api/support-chat/ws`) as TypeScript types, generated from the
 * server's Rust types through the OpenAPI document: a drifted contract fails the type check.
 */
import type { components } from './schema';

export type ClientFrame = components['schemas']['ClientFrame'];
export type ServerFrame = components['schemas']['ServerFrame'];
export type ServerFrameType = ServerFrame['type'];
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;

const SERVER_FRAME_TYPES = new Set<string>([
  'message',
  'ack',
  'joined',
  'reset_required',
  'typing',
  'read_receipt',
  'conversation_updated',
  'conversation_created',
  'presence',
  'notification',
  'error',
  'pong',
] satisfies ServerFrameType[]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One text frame from the server, or `null` when it is not JSON or not a frame we know. */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value) || typeof value.type !== 'string' || !SERVER_FRAME_TYPES.has(value.type)) {
    return null;
  }
  if (value.type !== 'pong' && !isRecord(value.data)) {
    return null;
  }
  // The server is the other half of this generated contract; its shape is trusted past here.
  return value as ServerFrame;
}

/** The text to send for a client frame. */
export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}
