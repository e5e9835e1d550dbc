import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SERVER_BIN } from './paths';

/** How long a start may take before the test fails (the release binary is ready in well under a second). */
const READY_TIMEOUT_MS = 20_000;
/** How long SIGTERM may take to drain before the test fails. */
const STOP_TIMEOUT_MS = 15_000;
/** Log lines kept per server, for the failure report. */
const LOG_LINES = 400;

export interface Credentials {
  email: string;
  password: string;
  name: string;
}

/** A port the kernel just handed out and released (bind races are possible but rare). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from the kernel'));
      });
    });
  });
}

/**
 * The environment for the server: the developer's own `SUPPORT_CHAT_*`, `DATABASE_URL` and
 * `REDIS_URL` must not leak in (the suite runs on a private SQLite file).
 */
function serverEnv(admin: Credentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('SUPPORT_CHAT_') || key === 'DATABASE_URL' || key === 'REDIS_URL') continue;
    env[key] = value;
  }
  env.SUPPORT_CHAT_ADMIN_EMAIL = admin.email;
  env.SUPPORT_CHAT_ADMIN_PASSWORD = admin.password;
  env.RUST_LOG = process.env.E2E_RUST_LOG ?? 'info';
  return env;
}

/**
 * One `support-chat serve` process on a private port and a private SQLite data directory.
 * `restart()` stops it with SIGTERM and starts it again on the same port and data.
 */
export class SupportChatServer {
  readonly port: number;
  readonly dataDir: string;
  readonly baseURL: string;
  readonly admin: Credentials;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: string[] = [];
  private starts = 0;

  private constructor(port: number, dataDir: string, admin: Credentials) {
    this.port = port;
    this.dataDir = dataDir;
    this.baseURL = `http://127.0.0.1:${port}`;
    this.admin = admin;
  }

  /** Starts a fresh server: new data directory, new port, the first admin created at start. */
  static async start(): Promise<SupportChatServer> {
    // The server names the first admin after the email's local part.
    const admin: Credentials = { email: 'avery@e2e.test', password: 'e2e-admin-password', name: 'avery' };
    for (let attempt = 1; ; attempt += 1) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'support-chat-e2e-'));
      const server = new SupportChatServer(await freePort(), dataDir, admin);
      try {
        await server.launch();
        return server;
      } catch (error) {
        await server.dispose();
        // Another process took the free port between the probe and the bind: take another one.
        const taken = /address already in use/i.test(server.logText());
        if (!taken || attempt >= 3) throw error;
      }
    }
  }

  /** The server's recent log lines (stdout and stderr, newest last). */
  logText(): string {
    return this.log.join('\n');
  }

  /** Whether the process is running. */
  get running(): boolean {
    return this.child !== null;
  }

  private record(prefix: string, chunk: Buffer) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      this.log.push(`${prefix} ${line}`);
      if (this.log.length > LOG_LINES) this.log.shift();
    }
  }

  private async launch(): Promise<void> {
    if (this.child !== null) throw new Error('the server is already running');
    this.starts += 1;
    const start = this.starts;
    this.log.push(`--- start #${start} on port ${this.port}`);
    const child = spawn(
      SERVER_BIN,
      [
        'serve',
        '--bind',
        `127.0.0.1:${this.port}`,
        '--data-dir',
        this.dataDir,
        '--public-url',
        this.baseURL,
      ],
      // The data directory as working directory: no stray support-chat.toml is picked up.
      { cwd: this.dataDir, env: serverEnv(this.admin), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => { this.record('[out]', chunk); });
    child.stderr.on('data', (chunk: Buffer) => { this.record('[err]', chunk); });
    const ended: { how: string | null } = { how: null };
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        ended.how = `exit code ${String(code)}, signal ${String(signal)}`;
        this.log.push(`--- start #${start} ended: ${ended.how}`);
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    child.once('error', (error) => {
      this.log.push(`--- start #${start} failed to spawn: ${error.message}`);
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (ended.how !== null || this.child !== child) {
        throw new Error(`support-chat stopped while starting (${ended.how ?? 'spawn failed'}):\n${this.logText()}`);
      }
      try {
        const res = await fetch(`${this.baseURL}/readyz`, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`support-chat was not ready within ${READY_TIMEOUT_MS} ms:\n${this.logText()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, and wait until the process has exited (it drains its sockets first). */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGTERM');
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => { resolve(true); }, STOP_TIMEOUT_MS)),
    ]);
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`support-chat did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${this.logText()}`);
    }
  }

  /** Starts the stopped server again on the same port and data directory. */
  async startAgain(): Promise<void> {
    await this.launch();
  }

  /** Stops the server (SIGTERM, wait for exit) and starts it again on the same port and data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the server and removes its data directory. */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      await rm(this.dataDir, { recursive: true, force: true });
    }
  }
}
