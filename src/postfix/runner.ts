/**
 * How steps run programs. Production spawns real processes; tests pass a
 * runner of their own. Programs are looked up on PATH plus the sbin
 * directories, since cron's PATH often lacks /usr/sbin where Postfix lives.
 */
import { spawn } from 'node:child_process';
import type { Env } from '../context.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
}

export interface CommandRunner {
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
}

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

/** PATH with the system bin directories appended (the caller's entries keep priority). */
export function searchPath(envPath: string | undefined): string {
  const parts = (envPath ?? '').split(':').filter(Boolean);
  for (const dir of SBIN_DIRS) if (!parts.includes(dir)) parts.push(dir);
  return parts.join(':');
}

export function processRunner(baseEnv: Env, timeoutMs = 15 * 60_000): CommandRunner {
  return {
    run: (argv, options = {}) => spawnOnce(argv, baseEnv, options, timeoutMs),
  };
}

function spawnOnce(argv: string[], baseEnv: Env, options: RunOptions, timeoutMs: number): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...baseEnv, ...options.env })) if (v !== undefined) env[k] = v;
  env.PATH = searchPath(env.PATH);

  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const child = spawn(file ?? '', args, { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined); // the program may exit before reading its input
    child.stdin.end(options.input ?? '');
    child.on('error', (err: NodeJS.ErrnoException) => {
      resolve({ code: 127, stdout, stderr: `${file}: ${err.code === 'ENOENT' ? 'command not found' : err.message}` });
    });
    child.on('close', (code, signal) => {
      resolve({ code: code ?? 128, stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr });
    });
  });
}
