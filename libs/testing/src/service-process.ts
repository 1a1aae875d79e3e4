import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { waitFor } from './wait-for';

import type { ChildProcess } from 'node:child_process';

const ROOT = resolve(__dirname, '../../..');

/** Bundles services (deploy/build/bundle.mjs) so tests run exactly what ships. */
export function bundleServices(...services: string[]): void {
  execFileSync('node', [resolve(ROOT, 'deploy/build/bundle.mjs'), ...services], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** A bundled service (`services/<name>/dist/main.js`) running as a child process. */
export class ServiceProcess {
  private readonly output: string[] = [];
  private readonly exitPromise: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedFlag = false;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    this.exitPromise = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitedFlag = true;
        resolveExit({ code, signal });
      });
    });
  }

  /**
   * Starts `node services/<name>/dist/main.js` with `env` (plus PATH) and HTTP_PORT = port, from
   * the repository (default) or another tree of the same layout (e.g. the image's, assembled by
   * deploy/image/assemble.sh).
   */
  static start(
    name: string,
    port: number,
    env: Record<string, string>,
    root = ROOT,
  ): ServiceProcess {
    const entry = resolve(root, 'services', name, 'dist/main.js');
    if (!existsSync(entry)) {
      throw new Error(`${entry} does not exist: call bundleServices('${name}') first`);
    }
    const child = spawn(process.execPath, [entry], {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        HTTP_HOST: '127.0.0.1',
        ...env,
        HTTP_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(name, port, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.exitedFlag;
  }

  /** Everything the process wrote so far (JSON log lines). */
  get logs(): string {
    return this.output.join('');
  }

  /** Resolves when GET /ready answers 200; fails early if the process exits. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const abort = this.exitPromise.then(({ code, signal }) => {
      throw new Error(`${this.name} exited (code ${code}, signal ${signal}):\n${this.logs}`);
    });
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${this.port}/ready`);
        return response.status === 200;
      },
      timeoutMs,
      `${this.name} /ready`,
      { abort, intervalMs: 100 },
    );
  }

  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    return response.text();
  }

  /** Sends a signal and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.exitedFlag) {
      this.child.kill(signal);
    }
    await this.exitPromise;
  }

  /** Graceful stop (SIGTERM), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exitedFlag) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      try {
        return await this.exitPromise;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exitPromise;
  }
}
