/**
 * `npm run bench [-- --quick]`: generate seeded Explorer downloads, serve
 * them from the PCE simulator, and run the real CLI (`run --json`, mail to
 * a loopback SMTP capture) and the naive baseline (scripts/bench-naive.ts)
 * side by side, measuring wall time and peak RSS of each process. Every
 * monitor run is checked against the expected totals, top talkers and raw
 * records counted by scripts/bench-data.ts. Not part of `npm test`.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fileFlowSource } from '../src/sim/flow-source.js';
import { startPceSimulator, type PceSimulator } from '../src/sim/pce-simulator.js';
import { startSmtpCapture, type SmtpCapture } from '../src/sim/smtp-capture.js';
import type { TrafficRule } from '../src/types.js';
import { writeBenchFile, type BenchFile } from './bench-data.js';
import { measure, type Measured } from './bench-measure.js';
import { checkRun, manyRules, MAIN_RULE } from './bench-check.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Row {
  name: string;
  flows: number;
  bytes: number;
  m: Measured;
  ratio: string;
}

interface Bench {
  dir: string;
  sim: PceSimulator;
  smtp: SmtpCapture;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const [small, big] = values.quick ? [40_000, 300_000] : [200_000, 2_400_000];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-bench-'));
  const bench: Bench = { dir, sim: await startPceSimulator({}), smtp: await startSmtpCapture({}) };
  bench.sim.pollsUntilComplete = 0;
  await fs.writeFile(path.join(dir, 'secret'), bench.sim.apiSecret, { mode: 0o600 });

  try {
    const now = Date.now();
    console.error(`generating ${small} label-rich flows ...`);
    const rich = await writeBenchFile(path.join(dir, 'rich.json'), { seed: 42, count: small, now }, false);
    console.error(`generating ${big} flows (plain and gzip) ...`);
    const large = await writeBenchFile(path.join(dir, 'large.json'), { seed: 43, count: big, now, labels: [2, 4], ipLists: 1 }, true);

    const rows: Row[] = [];
    const naive = await runNaive(bench, rich);
    rows.push({ name: 'naive: whole body, one JSON.parse', flows: small, bytes: rich.bytes, m: naive, ratio: '1.00' });
    const one = await runMonitor(bench, 'monitor, 1 rule', rich, false, [MAIN_RULE], {});
    rows.push({ ...one, ratio: ratio(one.m, naive) });
    const fifty = await runMonitor(bench, 'monitor, 50 rules', rich, false, manyRules(50), {});
    rows.push({ ...fifty, ratio: `${ratio(fifty.m, one.m)} of 1 rule` });
    const heap = { NODE_OPTIONS: '--max-old-space-size=256' };
    rows.push(await runMonitor(bench, 'monitor, heap 256 MB', large, false, [MAIN_RULE], heap));
    rows.push(await runMonitor(bench, 'monitor, heap 256 MB, gzip', large, true, [MAIN_RULE], heap));

    printTable(rows);
  } finally {
    await bench.sim.close();
    await bench.smtp.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function runNaive(bench: Bench, data: BenchFile): Promise<Measured> {
  bench.sim.flowSource = fileFlowSource(data.file, data.flows);
  bench.sim.gzip = false;
  const config = await writeConfig(bench, 'naive', [MAIN_RULE]);
  const m = await measure(process.execPath, [path.join(ROOT, 'build/scripts/bench-naive.js'), config], process.env);
  if (m.code !== 0) throw new Error(`naive baseline failed: ${m.stderr.slice(0, 2000)}`);
  const out = JSON.parse(m.stdout) as { count: number; topTalkers: unknown };
  if (out.count !== data.expected.count) throw new Error(`naive baseline counted ${out.count}, expected ${data.expected.count}`);
  return m;
}

async function runMonitor(
  bench: Bench, name: string, data: BenchFile, gzip: boolean, rules: TrafficRule[], env: Record<string, string>,
): Promise<Omit<Row, 'ratio'> & { ratio: string }> {
  bench.sim.flowSource = fileFlowSource(data.file, data.flows, data.gzipFile);
  bench.sim.gzip = gzip;
  const config = await writeConfig(bench, name.replace(/\W+/g, '-'), rules);
  const mailsBefore = bench.smtp.messages.length;

  console.error(`running: ${name} (${data.flows} flows${gzip ? ', gzip' : ''}) ...`);
  const m = await measure(process.execPath, [path.join(ROOT, 'bin/illumio-monitor.js'), 'run', '--json', '--config', config], { ...process.env, ...env });
  const mails = await bench.smtp.waitFor(mailsBefore + 1, 10_000);
  checkRun(name, m, data.expected, mails[mailsBefore]);
  const bytes = gzip ? data.gzipBytes : data.bytes;
  return { name, flows: data.flows, bytes, m, ratio: '' };
}

async function writeConfig(bench: Bench, name: string, rules: TrafficRule[]): Promise<string> {
  const dir = path.join(bench.dir, name);
  await fs.mkdir(dir, { recursive: true });
  const config = {
    pce: { url: bench.sim.url, orgId: bench.sim.orgId, apiKey: bench.sim.apiKey, apiSecretFile: '../secret', timeoutSeconds: 120 },
    email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: '127.0.0.1', port: bench.smtp.port, starttls: 'off' } },
    monitor: { trafficMaxResults: 200_000 },
    rules,
  };
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

function ratio(m: Measured, base: Measured): string {
  return (m.wallSeconds / base.wallSeconds).toFixed(2);
}

function printTable(rows: Row[]): void {
  const cpu = /model name\s*:\s*(.*)/.exec(os.cpus().map((c) => `model name: ${c.model}`)[0] ?? '')?.[1] ?? 'unknown CPU';
  console.log(`Machine: ${os.cpus().length} CPUs (${cpu}), Node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log('');
  console.log('| case | flows | bytes | wall s | peak RSS MB | ratio |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.flows.toLocaleString('en-US')} | ${mb(r.bytes)} | ${r.m.wallSeconds.toFixed(2)} | ${Math.round(r.m.peakRssMb)} | ${r.ratio} |`);
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1_048_576)} MB`;
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
