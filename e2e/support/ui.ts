import { expect, type Locator, type Page } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Account } from './api';
import { ARTIFACTS_DIR } from './paths';

/** The delivery line under one of my messages (`web/src/features/support/format.ts`). */
export type DeliveryLabel = 'Sending…' | 'Waiting for connection' | 'Sent' | 'Delivered' | 'Read' | 'Not sent';
/** Stored by the server: delivered, or already read by the other side. */
export const STORED = /Delivered|Read/;
/** The connection indicator's words. */
export type ConnectionLabel = 'Connecting…' | 'Connected' | 'Reconnecting…' | 'Offline';

/** Fills and submits `/login`. */
export async function signInThroughForm(page: Page, account: Pick<Account, 'email' | 'password'>): Promise<void> {
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Fills and submits `/register`. */
export async function registerThroughForm(page: Page, account: Account): Promise<void> {
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** The thread's message list. */
export function messageLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Messages' });
}

/** The thread entries whose text is exactly `content` (zero, one, or — a bug — several). */
export function messageItems(page: Page, content: string): Locator {
  return messageLog(page)
    .getByRole('listitem')
    .filter({ has: page.getByText(content, { exact: true }) });
}

/** Waits until the message is shown exactly once, with this delivery state when given. */
export async function expectMessageOnce(page: Page, content: string, delivery?: DeliveryLabel | RegExp): Promise<void> {
  const items = messageItems(page, content);
  await expect(items).toHaveCount(1);
  if (delivery !== undefined) await expect(items).toContainText(delivery);
}

/** Types into the thread's composer and presses Enter (how people send). */
export async function sendFromComposer(page: Page, content: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(content);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

/** The live connection indicator in a thread's header. */
export function connectionIndicator(page: Page): Locator {
  return page.getByRole('status').filter({ hasText: 'Connection:' });
}

export async function expectConnection(page: Page, label: ConnectionLabel): Promise<void> {
  await expect(connectionIndicator(page)).toHaveText(`Connection: ${label}`);
}

/** A full-page screenshot into `e2e/artifacts/NAME.png`, for people to look at. */
export async function snap(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** The conversation id in a `/support/:id` address. */
export function conversationIdFrom(page: Page): number {
  const match = /\/support\/(\d+)$/.exec(new URL(page.url()).pathname);
  if (match?.[1] === undefined) throw new Error(`not on a conversation page: ${page.url()}`);
  return Number(match[1]);
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Waits until the thread shows exactly these messages, in this order (each entry contains its text). */
export async function expectThread(page: Page, contents: readonly string[]): Promise<void> {
  await expect(messageLog(page).getByRole('listitem')).toHaveText(contents.map((c) => new RegExp(escapeRegExp(c))));
}

/** Whether the page scrolls sideways (content wider than the viewport). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** Marks the document, so that a later `expectSameDocument` proves the page was never reloaded. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.documentElement.dataset.e2eMark = 'same-document';
  });
}

/** The page still shows the document `markDocument` marked (no reload, no full navigation). */
export async function expectSameDocument(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.dataset.e2eMark)).toBe('same-document');
}

/** The assistant chat's turns (`/assistant`). */
export function assistantLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Assistant chat' });
}

/**
 * Asks the assistant the way people do (the Question box, then Enter) and waits until the
 * answer is complete: the box is free again and nothing is still being written.
 */
export async function askAssistant(page: Page, question: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Question' });
  await box.fill(question);
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(assistantLog(page).getByText(question, { exact: true })).toBeVisible();
  await expect(assistantLog(page).locator('[aria-busy="true"]')).toHaveCount(0);
}
