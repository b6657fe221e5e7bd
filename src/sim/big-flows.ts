/**
 * Explorer results at PCE scale for the benchmark and the stream tests:
 * label-rich flows (6-10 labels per workload, IP lists on both sides) as
 * JSON text, one record at a time, so millions of them are written or
 * served without being held. The same seed, count and `now` give the same
 * bytes. Talkers come from a fixed pool, drawn with a skew, so the top
 * talkers are clear and memory for them stays bounded.
 */
import { DataRng } from './pce-data.js';

export interface BigFlowOptions {
  seed: number;
  count: number;
  /** Epoch ms; every flow's last_detected lies in [now - spanMinutes, now]. */
  now: number;
  spanMinutes?: number;
  /** Distinct src -> dst service combinations to draw from. */
  talkers?: number;
  /** Labels per workload, [min, max] (default [6, 10]); IP lists per side up to ipLists (default 3). */
  labels?: [number, number];
  ipLists?: number;
  /** Told the facts of each record, for checking a consumer's result independently. */
  onRecord?: (facts: FlowFacts) => void;
}

export interface FlowFacts {
  /** `host (ip)` or the bare IP. */
  src: string;
  dst: string;
  port: number;
  proto: number;
  decision: string;
  connections: number;
  text: string;
}

const LABEL_KEYS = ['role', 'app', 'env', 'loc', 'bu', 'tier', 'owner', 'compliance', 'os', 'zone'] as const;
const SERVICES = [
  [22, 6, 'sshd'], [445, 6, 'System'], [3389, 6, 'svchost.exe'], [5432, 6, 'postgres'], [443, 6, 'nginx'],
  [53, 17, 'systemd-resolved'], [1433, 6, 'sqlservr.exe'], [8080, 6, 'java'], [135, 6, 'svchost.exe'],
  [123, 17, 'chronyd'], [389, 6, 'lsass.exe'], [6379, 6, 'redis-server'],
] as const;
const WORKLOADS = 1500;
const UNMANAGED = 3000;

interface Pools {
  /** Endpoint JSON text: workloads first, then unmanaged addresses. */
  endpoints: string[];
  /** The same endpoints as a person reads them. */
  names: string[];
  /** [src endpoint, dst endpoint, service] per talker. */
  talkers: [number, number, number][];
}

function buildPools(rng: DataRng, opts: BigFlowOptions): Pools {
  const [minLabels, maxLabels] = opts.labels ?? [6, 10];
  const maxLists = opts.ipLists ?? 3;
  const ipLists = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ href: `/orgs/1/sec_policy/active/ip_lists/${10 + i}`, name: `IPL-ZONE-${i}-${rng.int(100, 999)}` }));

  const endpoints: string[] = [];
  const names: string[] = [];
  for (let w = 0; w < WORKLOADS; w++) {
    const host = `host-${String(w).padStart(4, '0')}.dc${w % 4}.example.com`;
    const labels = LABEL_KEYS.slice(0, rng.int(minLabels, maxLabels)).map((key, i) => ({
      href: `/orgs/1/labels/${1000 + w * 10 + i}`,
      key,
      value: `${key.toUpperCase()}-${rng.int(1, 40)}`,
    }));
    const workload = {
      href: `/orgs/1/workloads/${rng.uuid()}`, hostname: host, name: host.split('.')[0], labels,
      os_type: w % 5 === 0 ? 'windows' : 'linux', managed: true, enforcement_mode: w % 3 === 0 ? 'visibility_only' : 'full',
    };
    const ip = `10.${w >> 8}.${w & 255}.${10 + (w % 200)}`;
    endpoints.push(JSON.stringify({ ip, workload, ip_lists: ipLists(rng.int(Math.min(1, maxLists), maxLists)) }));
    names.push(`${host} (${ip})`);
  }
  for (let u = 0; u < UNMANAGED; u++) {
    const ip = `172.${16 + (u >> 8)}.${u & 255}.${rng.int(1, 254)}`;
    endpoints.push(JSON.stringify({ ip, ip_lists: ipLists(rng.int(Math.min(2, maxLists), maxLists + 1)) }));
    names.push(ip);
  }

  const talkerCount = opts.talkers ?? 20_000;

  const talkers: [number, number, number][] = [];
  for (let t = 0; t < talkerCount; t++) {
    const src = rng.float() < 0.4 ? WORKLOADS + rng.int(0, UNMANAGED - 1) : rng.int(0, WORKLOADS - 1);
    talkers.push([src, rng.int(0, WORKLOADS - 1), rng.int(0, SERVICES.length - 1)]);
  }
  return { endpoints, names, talkers };
}

/** Each flow as one line of JSON text (no trailing comma), in download order. */
export function* bigFlowRecords(opts: BigFlowOptions): Generator<string> {
  const rng = new DataRng(opts.seed);
  const pools = buildPools(rng, opts);
  const spanMs = (opts.spanMinutes ?? 50) * 60_000;

  for (let i = 0; i < opts.count; i++) {
    // Cubing the draw favours low talker numbers: a few heavy talkers, a long tail.
    const [src, dst, svc] = pools.talkers[Math.floor(pools.talkers.length * rng.float() ** 3)]!;
    const [port, proto, process] = SERVICES[svc]!;
    const roll = rng.float();
    const decision = roll < 0.4 ? 'blocked' : roll < 0.7 ? 'potentially_blocked' : 'allowed';
    const last = Math.floor((opts.now - rng.int(0, spanMs)) / 1000) * 1000;
    const first = last - rng.int(0, 600) * 1000;
    const connections = rng.int(1, 200);
    const text = `{"src":${pools.endpoints[src]},"dst":${pools.endpoints[dst]},` +
      `"service":{"port":${port},"proto":${proto},"process_name":"${process}","user_name":"svc_${svc}"},` +
      `"num_connections":${connections},"state":"${decision === 'allowed' ? 'closed' : 'snapshot'}",` +
      `"timestamp_range":{"first_detected":"${isoSeconds(first)}","last_detected":"${isoSeconds(last)}"},` +
      `"dst_bi":${rng.int(0, 99_999)},"dst_bo":${rng.int(0, 99_999)},"policy_decision":"${decision}",` +
      `"flow_direction":"inbound","transmission":"unicast"}`;
    opts.onRecord?.({ src: pools.names[src]!, dst: pools.names[dst]!, port, proto, decision, connections, text });
    yield text;
  }
}

/** The whole download as text chunks of about 64 KB: `[`, records joined by commas, `]`. */
export function* bigFlowBody(opts: BigFlowOptions): Generator<string> {
  let buf = '[';
  let first = true;
  for (const record of bigFlowRecords(opts)) {
    buf += first ? record : `,\n${record}`;
    first = false;
    if (buf.length >= 65_536) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}]\n`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
