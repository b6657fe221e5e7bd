/**
 * A whole monitoring set-up for run-level tests: a temp folder with a config
 * (0600 secret files for the PCE secret and the SMTP password), the PCE
 * simulator and a real SMTP server with AUTH on loopback, and three ways to
 * run a cycle: runOnce in-process, the CLI's main() in-process (exit code
 * and --json), and the built CLI as a subprocess. One clock drives the
 * simulator and the in-process runs; sleep() advances it at once and
 * records the wait. With `realClock` it follows Date.now() (plus any
 * advance), so subprocess runs and the simulator agree on the time.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config/load.js';
import type { Context } from '../../src/context.js';
import { memoryLogger } from '../../src/output.js';
import { runOnce, type RunOptions } from '../../src/run/run.js';
import type { RunReport } from '../../src/run/report.js';
import { startPceSimulator, type PceSimulator } from '../../src/sim/pce-simulator.js';
import { startSmtpCapture, type CapturedMessage, type SmtpCapture } from '../../src/sim/smtp-capture.js';
import type { ConfigFile, EventRule, MonitorSettings, ResolvedConfig, Rule, StateFile, TrafficRule } from '../../src/types.js';
import { runCli, type CliResult } from './cli.js';
import { T0, type FakeClock } from './pce-setup.js';

export { T0 } from './pce-setup.js';
export const MIN = 60_000;

export interface RunEnvOptions {
  rules?: Rule[];
  monitor?: Partial<MonitorSettings>;
  email?: Partial<Pick<ConfigFile['email'], 'timeZone' | 'csvMaxRows' | 'language'>>;
  /** Follow the wall clock (needed for subprocess runs). Default: a fake clock at `start`. */
  realClock?: boolean;
  start?: number;
}

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed stdout when --json was given. */
  json: any;
}

export interface RunEnv {
  dir: string;
  file: string;
  stateFile: string;
  logDir: string;
  pce: PceSimulator;
  smtp: SmtpCapture;
  smtpUser: string;
  smtpPassword: string;
  clock: FakeClock;
  log: ReturnType<typeof memoryLogger>;
  /** Every stdout/stderr text any CLI run of this env produced (secret checks). */
  outputs: string[];
  config(): Promise<ResolvedConfig>;
  /** Change the config file (shallow merge per top-level key, like an edit by hand). */
  editConfig(change: (cfg: ConfigFile) => void): Promise<void>;
  run(options?: Partial<RunOptions>): Promise<RunReport>;
  main(args: string[], env?: Record<string, string>): Promise<MainResult>;
  cli(args: string[], env?: Record<string, string | undefined>): Promise<CliResult & { json: any }>;
  stateText(): Promise<string | undefined>;
  state(): Promise<StateFile>;
  close(): Promise<void>;
}

export async function runEnv(opts: RunEnvOptions = {}): Promise<RunEnv> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-run-'));
  const clock = shiftableClock(opts.realClock ? undefined : (opts.start ?? T0));
  const pce = await startPceSimulator({ now: () => clock.now() });
  const smtpUser = 'monitor';
  const smtpPassword = `pw-${randomBytes(12).toString('hex')}`;
  const smtp = await startSmtpCapture({ auth: { user: smtpUser, pass: smtpPassword } });

  await fs.writeFile(path.join(dir, 'pce-secret'), `${pce.apiSecret}\n`, { mode: 0o600 });
  await fs.writeFile(path.join(dir, 'smtp-password'), `${smtpPassword}\n`, { mode: 0o600 });
  const file = path.join(dir, 'illumio-monitor.json');
  await writeJson(file, baseConfig(pce, smtp.port, smtpUser, opts));

  const log = memoryLogger(true);
  const outputs: string[] = [];
  const ctx: Context = { clock, env: {}, log, stderrIsTty: false };
  const env: RunEnv = {
    dir,
    file,
    stateFile: path.join(dir, 'illumio-monitor.state.json'),
    logDir: path.join(dir, 'logs'),
    pce,
    smtp,
    smtpUser,
    smtpPassword,
    clock,
    log,
    outputs,
    config: () => loadConfig(file, {}),
    async editConfig(change) {
      const cfg = JSON.parse(await fs.readFile(file, 'utf8')) as ConfigFile;
      change(cfg);
      await writeJson(file, cfg);
    },
    async run(options = {}) {
      return runOnce(await env.config(), { dryRun: false, ...options }, ctx);
    },
    async main(args, extraEnv = {}) {
      let stdout = '';
      let stderr = '';
      const code = await main([...args, '--config', file], {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        env: { NO_COLOR: '1', ...extraEnv },
        stdoutIsTty: false,
        stderrIsTty: false,
        clock,
      });
      outputs.push(stdout, stderr);
      return { code, stdout, stderr, json: args.includes('--json') ? JSON.parse(stdout) : undefined };
    },
    async cli(args, extraEnv = {}) {
      const result = await runCli([...args, '--config', file], { env: extraEnv, cwd: os.tmpdir() });
      outputs.push(result.stdout, result.stderr);
      let json: unknown;
      if (args.includes('--json') && result.stdout.trim()) json = JSON.parse(result.stdout);
      return { ...result, json };
    },
    stateText: () => fs.readFile(env.stateFile, 'utf8').catch(() => undefined),
    async state() {
      return JSON.parse(await fs.readFile(env.stateFile, 'utf8')) as StateFile;
    },
    async close() {
      await pce.close();
      await smtp.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  return env;
}

function baseConfig(pce: PceSimulator, smtpPort: number, user: string, opts: RunEnvOptions): ConfigFile {
  return {
    pce: { url: pce.url, orgId: pce.orgId, apiKey: pce.apiKey, apiSecretFile: 'pce-secret' },
    email: {
      from: 'monitor@example.com',
      to: ['soc@example.com'],
      csvMaxRows: 100_000,
      ...opts.email,
      smtp: { host: '127.0.0.1', port: smtpPort, starttls: 'off', user, passwordFile: 'smtp-password', connectionTimeoutSeconds: 2, greetingTimeoutSeconds: 2, socketTimeoutSeconds: 5 },
    },
    rules: opts.rules ?? [eventRule()],
    monitor: { ...opts.monitor },
  };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** A fake clock at `start`, or the wall clock when start is undefined; advance()/sleep() shift it. */
function shiftableClock(start: number | undefined): FakeClock {
  const base = start ?? 0;
  let shift = 0;
  return {
    waits: [],
    now: () => (start === undefined ? Date.now() : base) + shift,
    advance(ms) {
      shift += ms;
    },
    async sleep(ms) {
      this.waits.push(ms);
      shift += ms;
    },
  };
}

// ---------------------------------------------------------------- rules

export function eventRule(over: Partial<EventRule> = {}): EventRule {
  return {
    id: 'tamper',
    name: 'Agent tampering',
    type: 'event',
    eventTypes: ['agent.tampering'],
    threshold: 1,
    windowMinutes: 60,
    cooldownMinutes: 0,
    severity: 'critical',
    ...over,
  };
}

export function trafficRule(over: Partial<TrafficRule> = {}): TrafficRule {
  return {
    id: 'blocked-smb',
    name: 'Blocked SMB',
    type: 'traffic',
    policyDecisions: ['blocked'],
    port: 445,
    proto: 'tcp',
    threshold: 10,
    windowMinutes: 10,
    cooldownMinutes: 0,
    severity: 'high',
    ...over,
  };
}

// ---------------------------------------------------------------- mail

/** The CSV attachment of a rule in a received message, as rows of cells (header first). */
export function csvRows(message: CapturedMessage, ruleId: string): string[][] | undefined {
  const att = message.parsed.attachments.find((a) => a.filename === `${ruleId}.csv`);
  if (!att) return undefined;
  const text = att.content.toString('utf8').replace(/^\uFEFF/, '');
  return text.split('\r\n').filter((l) => l !== '').map(parseCsvLine);
}

/** The event hrefs a rule's CSV attachment lists in each message (one entry per row). */
export function mailedHrefs(messages: readonly CapturedMessage[], ruleId: string): string[] {
  const out: string[] = [];
  for (const m of messages) {
    const rows = csvRows(m, ruleId);
    if (!rows) continue;
    const col = rows[0]?.indexOf('href') ?? -1;
    for (const row of rows.slice(1)) out.push(row[col] ?? '');
  }
  return out;
}

/** href -> how many times it was mailed. */
export function countOf(hrefs: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const h of hrefs) counts.set(h, (counts.get(h) ?? 0) + 1);
  return counts;
}

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cell), (cell = '');
    else cell += c;
  }
  cells.push(cell);
  return cells;
}

// ---------------------------------------------------------------- secrets

/**
 * Look for the PCE secret (plain and inside the Basic auth token) and the
 * SMTP password everywhere a run leaves text: CLI output, the memory log,
 * the state and its backup, logs/*.jsonl and every received message.
 * Returns where each was found (empty when clean).
 */
export async function secretLeaks(env: RunEnv): Promise<string[]> {
  const secrets = [
    env.pce.apiSecret,
    Buffer.from(`${env.pce.apiKey}:${env.pce.apiSecret}`).toString('base64'),
    env.smtpPassword,
    Buffer.from(`\u0000${env.smtpUser}\u0000${env.smtpPassword}`).toString('base64'),
  ];
  const places: [string, string][] = env.outputs.map((o, i) => [`cli output ${i}`, o]);
  places.push(['memory log', env.log.lines.join('\n')]);
  for (const f of [env.stateFile, `${env.stateFile}.bak`]) {
    const text = await fs.readFile(f, 'utf8').catch(() => '');
    places.push([f, text]);
  }
  const logs = await fs.readdir(env.logDir).catch(() => [] as string[]);
  for (const f of logs) places.push([f, await fs.readFile(path.join(env.logDir, f), 'utf8')]);
  env.smtp.messages.forEach((m, i) => places.push([`mail ${i}`, m.raw]));

  const found: string[] = [];
  for (const [where, text] of places) {
    secrets.forEach((s, i) => {
      if (text.includes(s)) found.push(`secret ${i} in ${where}`);
    });
  }
  return found;
}
