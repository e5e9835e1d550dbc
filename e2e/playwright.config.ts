import { defineConfig } from '@playwright/test';
import { CHROMIUM } from './support/paths';

const workers = Number(process.env.E2E_WORKERS ?? '2');

/**
 * The end-to-end suite: every test starts its own `support-chat` release binary on a private
 * SQLite directory and port (see support/fixtures.ts), and drives it in Debian's Chromium.
 */
export default defineConfig({
  testDir: './tests',
  globalSetup: './support/global-setup.ts',
  outputDir: './test-results',
  // A flaky test is a bug to fix, not to retry.
  retries: 0,
  // Two cores: two tests at a time, each with its own server.
  workers: Number.isInteger(workers) && workers > 0 ? workers : 2,
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: './playwright-report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
