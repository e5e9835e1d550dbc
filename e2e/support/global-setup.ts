import { access, constants, stat } from 'node:fs/promises';
import { CHROMIUM, SERVER_BIN, WEB_INDEX } from './paths';

async function exists(file: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks what the suite runs against before any test starts. Building is the caller's job
 * (`scripts/test.sh` does it): here a missing or stale build is a clear error, not 50 failed tests.
 */
export default async function globalSetup(): Promise<void> {
  const problems: string[] = [];
  if (!(await exists(CHROMIUM, constants.X_OK))) {
    problems.push(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  const haveWeb = await exists(WEB_INDEX);
  if (!haveWeb) {
    problems.push(`No web build at ${WEB_INDEX}: run (cd web && npm ci && npm run build) first.`);
  }
  const haveBin = await exists(SERVER_BIN, constants.X_OK);
  if (!haveBin) {
    problems.push(
      `No release binary at ${SERVER_BIN}: run cargo build --release -p support-chat (after the web build), ` +
        'or set SUPPORT_CHAT_BIN.',
    );
  }
  // The binary embeds web/dist when it is compiled: one older than the web build serves an old app.
  if (haveWeb && haveBin && (await stat(SERVER_BIN)).mtimeMs < (await stat(WEB_INDEX)).mtimeMs) {
    problems.push(
      `${SERVER_BIN} is older than ${WEB_INDEX}, so it embeds an older web app: ` +
        'rebuild it with cargo build --release -p support-chat.',
    );
  }
  if (problems.length > 0) throw new Error(`The end-to-end suite cannot run:\n  ${problems.join('\n  ')}`);
}
