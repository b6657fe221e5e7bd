/**
 * Deterministic, realistic PCE records for the demo, the benchmark and
 * tests: the same seed and `now` give the same events and flows. Shapes
 * follow shared/samples; a recent burst makes the default rules fire.
 */
import type { FlowEndpoint, FlowWorkload, PceEvent, PceLabel, TrafficFlow } from '../types.js';
import { toIsoZ } from '../util/time.js';
import { EVENT_KINDS, type EventKind } from './pce-data-events.js';

export interface PceDataOptions {
  seed: number;
  /** Epoch ms; records lie in [now - spanMinutes, now]. */
  now: number;
  events?: number;
  flows?: number;
  spanMinutes?: number;
  orgId?: number;
  fqdn?: string;
}

export interface PceData {
  events: PceEvent[];
  flows: TrafficFlow[];
}

/** mulberry32: small, fast, good enough for test data. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class DataRng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = makeRng(seed);
  }

  float(): number {
    return this.next();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }

  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

// ------------------------------------------------------------ hosts

const LABELS: Record<string, PceLabel> = {};
function label(id: number, key: string, value: string): PceLabel {
  return (LABELS[`${key}=${value}`] ??= { href: `/orgs/1/labels/${id}`, key, value });
}

export interface SimHost {
  ip: string;
  workload: FlowWorkload;
}

function host(n: number, hostname: string, ip: string, labels: PceLabel[], os = 'linux'): SimHost {
  return {
    ip,
    workload: {
      href: `/orgs/1/workloads/0000${n}a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2${n}`,
      hostname,
      name: hostname.split('.')[0],
      labels,
      os_type: os,
      managed: true,
      enforcement_mode: n % 3 === 0 ? 'visibility_only' : 'full',
    },
  };
}

const PROD = label(13, 'env', 'E-PROD');
const DEV = label(15, 'env', 'E-DEV');
const DC1 = label(14, 'loc', 'L-DC1');
const DC2 = label(16, 'loc', 'L-DC2');

export const SIM_HOSTS: readonly SimHost[] = [
  host(1, 'web01.example.com', '10.0.0.21', [label(21, 'role', 'R-WEB'), label(22, 'app', 'A-SHOP'), PROD, DC1]),
  host(2, 'web02.example.com', '10.0.0.22', [label(21, 'role', 'R-WEB'), label(22, 'app', 'A-SHOP'), PROD, DC2]),
  host(3, 'app01.example.com', '10.0.0.31', [label(31, 'role', 'R-APP'), label(12, 'app', 'A-BILLING'), PROD, DC1]),
  host(4, 'app02.example.com', '10.0.0.32', [label(31, 'role', 'R-APP'), label(12, 'app', 'A-BILLING'), DEV, DC1]),
  host(5, 'db01.example.com', '10.0.0.41', [label(11, 'role', 'R-DB'), label(22, 'app', 'A-SHOP'), PROD, DC1]),
  host(6, 'db02.example.com', '10.0.0.42', [label(11, 'role', 'R-DB'), label(12, 'app', 'A-BILLING'), PROD, DC1]),
  host(7, 'ad01.example.com', '10.0.1.10', [label(41, 'role', 'R-DC'), label(42, 'app', 'A-AD'), PROD, DC2], 'windows'),
  host(8, 'jump01.example.com', '10.0.1.20', [label(51, 'role', 'R-JUMP'), label(52, 'app', 'A-ADMIN'), PROD, DC2], 'windows'),
];

/** Addresses with no workload: a corporate LAN, a scanner, the internet. */
export const UNMANAGED_IPS: readonly string[] = ['10.0.0.77', '10.0.9.15', '10.0.9.16', '192.0.2.44', '198.51.100.7', '203.0.113.9'];

const SERVICES = [
  { port: 22, proto: 6, process_name: 'sshd' },
  { port: 445, proto: 6, process_name: 'System' },
  { port: 3389, proto: 6, process_name: 'svchost.exe' },
  { port: 5432, proto: 6, process_name: 'postgres' },
  { port: 443, proto: 6, process_name: 'nginx' },
  { port: 53, proto: 17, process_name: 'systemd-resolved' },
] as const;

// ------------------------------------------------------------ generation

export function generatePceData(opts: PceDataOptions): PceData {
  const rng = new DataRng(opts.seed);
  const spanMs = (opts.spanMinutes ?? 60) * 60_000;
  const ctx = { rng, orgId: opts.orgId ?? 1, fqdn: opts.fqdn ?? 'pce.example.com' };

  const events: PceEvent[] = [];
  for (let i = 0; i < (opts.events ?? 200); i++) {
    const at = opts.now - rng.int(0, spanMs);
    events.push(makeEvent(ctx, weightedKind(rng), at));
  }
  events.push(...burstEvents(ctx, opts.now));

  const flows: TrafficFlow[] = [];
  for (let i = 0; i < (opts.flows ?? 300); i++) flows.push(makeFlow(rng, opts.now, spanMs));
  flows.push(...burstFlows(rng, opts.now));

  events.sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  return { events, flows };
}

type Ctx = { rng: DataRng; orgId: number; fqdn: string };

function weightedKind(rng: DataRng): EventKind {
  const total = EVENT_KINDS.reduce((s, k) => s + k.weight, 0);
  let roll = rng.float() * total;
  for (const kind of EVENT_KINDS) {
    roll -= kind.weight;
    if (roll < 0) return kind;
  }
  return EVENT_KINDS[EVENT_KINDS.length - 1] as EventKind;
}

function makeEvent(ctx: Ctx, kind: EventKind, at: number): PceEvent {
  const { rng } = ctx;
  const target = rng.pick(SIM_HOSTS);
  const base = kind.build({ rng, host: target, srcIp: rng.pick(UNMANAGED_IPS), orgId: ctx.orgId });
  return {
    href: `/orgs/${ctx.orgId}/${kind.systemEvent ? 'system_events' : 'events'}/${rng.uuid()}`,
    timestamp: toIsoZ(at),
    pce_fqdn: ctx.fqdn,
    created_by: base.created_by,
    event_type: kind.type,
    status: base.status,
    severity: base.severity,
    version: 2,
    action: base.action,
    resource_changes: base.resource_changes ?? [],
    notifications: base.notifications ?? [],
  };
}

/** The last 10 minutes hold enough trouble for every default rule to fire. */
function burstEvents(ctx: Ctx, now: number): PceEvent[] {
  const byType = (t: string) => EVENT_KINDS.find((k) => k.type === t && (k.failure ?? true)) as EventKind;
  const plan: [string, number][] = [
    ['agent.tampering', 1],
    ['system_task.agent_offline_check', 1],
    ['request.authentication_failed', 6],
    ['user.sign_in', 6],
  ];
  return plan.flatMap(([type, n]) =>
    Array.from({ length: n }, (_, i) => makeEvent(ctx, byType(type), now - 60_000 - i * 45_000 - ctx.rng.int(0, 999))),
  );
}

function endpoint(rng: DataRng, managedShare: number): FlowEndpoint {
  if (rng.float() >= managedShare) return { ip: rng.pick(UNMANAGED_IPS) };
  const h = rng.pick(SIM_HOSTS);
  return { ip: h.ip, workload: h.workload };
}

function makeFlow(rng: DataRng, now: number, spanMs: number): TrafficFlow {
  const service = rng.pick(SERVICES);
  const last = now - rng.int(0, spanMs);
  const roll = rng.float();
  const decision = roll < 0.3 ? 'blocked' : roll < 0.55 ? 'potentially_blocked' : 'allowed';
  return flowRecord(endpoint(rng, 0.6), endpoint(rng, 0.9), { ...service }, decision, rng.int(1, 50), last - rng.int(0, 600_000), last);
}

/** Blocked SMB and RDP from unmanaged addresses in the last 10 minutes. */
function burstFlows(rng: DataRng, now: number): TrafficFlow[] {
  const smb = SERVICES[1];
  const rdp = SERVICES[2];
  const victims = SIM_HOSTS.slice(0, 4);
  return victims.flatMap((v, i) => [
    flowRecord({ ip: '10.0.9.15' }, { ip: v.ip, workload: v.workload }, { ...smb }, 'blocked', 4 + i, now - 540_000, now - 30_000 * (i + 1)),
    flowRecord({ ip: '198.51.100.7' }, { ip: v.ip, workload: v.workload }, { ...rdp }, 'potentially_blocked', 3 + i, now - 480_000, now - 20_000 * (i + 1)),
  ]);
}

function flowRecord(
  src: FlowEndpoint,
  dst: FlowEndpoint,
  service: TrafficFlow['service'],
  decision: string,
  connections: number,
  first: number,
  last: number,
): TrafficFlow {
  return {
    src,
    dst,
    service,
    num_connections: connections,
    state: decision === 'allowed' ? 'closed' : 'snapshot',
    timestamp_range: { first_detected: isoSeconds(first), last_detected: isoSeconds(last) },
    dst_bi: 0,
    dst_bo: 0,
    policy_decision: decision,
    flow_direction: dst.workload ? 'inbound' : 'outbound',
    transmission: 'unicast',
  };
}

/** Flow times carry whole seconds, like the PCE's. */
function isoSeconds(ms: number): string {
  return toIsoZ(Math.floor(ms / 1000) * 1000).replace('.000Z', 'Z');
}
