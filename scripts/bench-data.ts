/**
 * Benchmark data: a seeded label-rich Explorer download written to a file
 * (and its gzip twin), with the expected result of the benchmark's main
 * rule (blocked flows: total connections, top 5 talkers, first two raw
 * records) counted here from the generator's own facts, independently of
 * the monitor's parser and aggregator.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { bigFlowBody, type BigFlowOptions, type FlowFacts } from '../src/sim/big-flows.js';

export interface Expected {
  count: number;
  topTalkers: { label: string; count: number }[];
  samples: unknown[];
}

export interface BenchFile {
  file: string;
  gzipFile: string | undefined;
  bytes: number;
  gzipBytes: number;
  flows: number;
  expected: Expected;
}

const PROTO: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };

export async function writeBenchFile(file: string, opts: BigFlowOptions, gzip: boolean): Promise<BenchFile> {
  const talkers = new Map<string, number>();
  const samples: string[] = [];
  let count = 0;
  const onRecord = (f: FlowFacts) => {
    if (f.decision !== 'blocked') return;
    const label = `${f.src} -> ${f.dst} ${f.port}/${PROTO[f.proto] ?? f.proto}`;
    talkers.set(label, (talkers.get(label) ?? 0) + f.connections);
    count += f.connections;
    if (samples.length < 2) samples.push(f.text);
  };

  const out = createWriteStream(file);
  const zipped = gzip ? createGzip({ level: 1 }) : undefined;
  const zipOut = zipped ? zipped.pipe(createWriteStream(`${file}.gz`)) : undefined;
  let bytes = 0;
  let gzipBytes = 0;
  zipped?.on('data', (c: Buffer) => (gzipBytes += c.length));

  for (const chunk of bigFlowBody({ ...opts, onRecord })) {
    const buf = Buffer.from(chunk, 'utf8');
    bytes += buf.length;
    await write(out, buf);
    if (zipped && !zipped.write(buf)) await once(zipped, 'drain');
  }
  out.end();
  await once(out, 'close');
  if (zipped && zipOut) {
    zipped.end();
    await once(zipOut, 'close');
  }

  const top = [...talkers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, 5);
  return {
    file,
    gzipFile: gzip ? `${file}.gz` : undefined,
    bytes,
    gzipBytes,
    flows: opts.count,
    expected: { count, topTalkers: top.map(([label, c]) => ({ label, count: c })), samples: samples.map((s) => JSON.parse(s) as unknown) },
  };
}

async function write(out: WriteStream, buf: Buffer): Promise<void> {
  if (!out.write(buf)) await once(out, 'drain');
}
