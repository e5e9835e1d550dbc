import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `e2e/` folder. */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root. */
export const REPO_DIR = path.resolve(E2E_DIR, '..');

/**
 * The release binary under test: `SUPPORT_CHAT_BIN`, else `cargo build --release`'s output
 * (`$CARGO_TARGET_DIR/release/support-chat`, `target/` by default).
 */
export const SERVER_BIN =
  process.env.SUPPORT_CHAT_BIN ??
  path.join(path.resolve(REPO_DIR, process.env.CARGO_TARGET_DIR ?? 'target'), 'release', 'support-chat');

/** The built web app that the release binary embeds at compile time. */
export const WEB_INDEX = path.join(REPO_DIR, 'web', 'dist', 'index.html');

/** Debian's Chromium (Playwright's own browser downloads are not used). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of the main pages, for people to look at (gitignored). */
export const ARTIFACTS_DIR = path.join(E2E_DIR, 'artifacts');
