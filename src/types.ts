/**
 * Shared shapes: the config as the user writes it, the resolved config the
 * core works with, PCE records, rules, alerts and the state file.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type PolicyDecision = 'allowed' | 'potentially_blocked' | 'blocked' | 'unknown';
export const POLICY_DECISIONS: readonly PolicyDecision[] = [
  'allowed',
  'potentially_blocked',
  'blocked',
  'unknown',
];

export type PceSeverity = 'info' | 'warning' | 'err';

// ---------------------------------------------------------------- rules

interface RuleCommon {
  /** Unique, stable slug: history, cooldowns and pending mail are keyed by it. */
  id: string;
  name: string;
  severity: Severity;
  /** The rule fires when the window count reaches this. 1 = alert at once. */
  threshold: number;
  windowMinutes: number;
  cooldownMinutes: number;
  /** Default true. */
  enabled?: boolean;
  description?: string;
}

export interface EventRule extends RuleCommon {
  type: 'event';
  /** Exact names or globs such as `agent.*`. */
  eventTypes: string[];
  status?: 'success' | 'failure';
  pceSeverities?: PceSeverity[];
}

export interface TrafficRule extends RuleCommon {
  type: 'traffic';
  policyDecisions: PolicyDecision[];
  port?: number;
  /** `tcp`, `udp`, `icmp` or an IANA protocol number. */
  proto?: string | number;
  /** `key=value`; all must match. */
  srcLabels?: string[];
  dstLabels?: string[];
  /** Addresses or CIDR blocks; any may match. */
  srcIps?: string[];
  dstIps?: string[];
  excludePort?: number;
  excludeProto?: string | number;
  /** A flow carrying any of these labels is left out. */
  excludeSrcLabels?: string[];
  excludeDstLabels?: string[];
  excludeSrcIps?: string[];
  excludeDstIps?: string[];
}

export interface HealthRule extends RuleCommon {
  type: 'health';
}

export type Rule = EventRule | TrafficRule | HealthRule;

// ---------------------------------------------------------------- config

/** The config file as written by the user (optional keys may be absent). */
export interface ConfigFile {
  pce: {
    url: string;
    orgId: number;
    apiKey: string;
    apiSecret?: string;
    apiSecretFile?: string;
    caFile?: string;
    verifyTls?: boolean;
    timeoutSeconds?: number;
  };
  email: {
    from: string;
    to: string[];
    subjectPrefix?: string;
    language?: 'en' | 'zh-TW';
    timeZone?: string;
    csvMaxRows?: number;
    smtp: {
      host: string;
      port?: number;
      secure?: boolean;
      starttls?: 'auto' | 'required' | 'off';
      user?: string;
      password?: string;
      passwordFile?: string;
      caFile?: string;
      verifyTls?: boolean;
      ehloName?: string;
      connectionTimeoutSeconds?: number;
      greetingTimeoutSeconds?: number;
      socketTimeoutSeconds?: number;
    };
  };
  rules: Rule[];
  stateFile?: string;
  logDir?: string;
  logMaxBytes?: number;
  logMaxFiles?: number;
  monitor?: Partial<MonitorSettings>;
}

export interface MonitorSettings {
  /** Re-read this much before the checkpoint for late events. */
  overlapMinutes: number;
  /** On the first run (no checkpoint), read back this far. */
  firstRunLookbackMinutes: number;
  /** `max_results` per events request (PCE maximum 10000). */
  eventsPageSize: number;
  /** Most events one run will read before reporting an incomplete fetch. */
  maxEventsPerRun: number;
  /** `max_results` of the traffic query (PCE maximum 200000). */
  trafficMaxResults: number;
  /** Give up on an async traffic query after this long (then cancel it). */
  trafficQueryDeadlineSeconds: number;
  /** Retries of 429/502/503/504 per request. */
  retryMaxAttempts: number;
  /** Total time one request may spend waiting between retries. */
  retryBudgetSeconds: number;
  /** A lock older than this is taken over with a warning. */
  lockStaleMinutes: number;
}

export interface ResolvedSmtp {
  host: string;
  port: number;
  secure: boolean;
  starttls: 'auto' | 'required' | 'off';
  user: string | undefined;
  password: string | undefined;
  caFile: string | undefined;
  verifyTls: boolean;
  ehloName: string | undefined;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

/** The config after validation, defaults, path resolution and secrets. */
export interface ResolvedConfig {
  /** Absolute path of the config file. */
  file: string;
  pce: {
    url: string;
    orgId: number;
    apiKey: string;
    apiSecret: string;
    caFile: string | undefined;
    verifyTls: boolean;
    timeoutMs: number;
  };
  email: {
    from: string;
    to: string[];
    subjectPrefix: string;
    language: 'en' | 'zh-TW';
    timeZone: string;
    csvMaxRows: number;
    smtp: ResolvedSmtp;
  };
  rules: Rule[];
  stateFile: string;
  logDir: string;
  logMaxBytes: number;
  logMaxFiles: number;
  monitor: MonitorSettings;
}

// ---------------------------------------------------------------- PCE records

export interface PceLabel {
  href?: string;
  key: string;
  value: string;
}

export interface PceEvent {
  href: string;
  timestamp: string;
  event_type: string;
  status?: 'success' | 'failure' | null;
  severity?: string;
  pce_fqdn?: string;
  created_by?: Record<string, unknown> | null;
  action?: Record<string, unknown> | null;
  resource_changes?: unknown[];
  notifications?: unknown[];
  [key: string]: unknown;
}

export interface FlowWorkload {
  href?: string;
  hostname?: string | null;
  name?: string | null;
  labels?: PceLabel[];
  [key: string]: unknown;
}

export interface FlowEndpoint {
  ip: string;
  workload?: FlowWorkload;
  ip_lists?: { href?: string; name?: string }[];
  fqdn?: string;
  [key: string]: unknown;
}

export interface TrafficFlow {
  src: FlowEndpoint;
  dst: FlowEndpoint;
  service: { port?: number; proto?: number; process_name?: string; [key: string]: unknown };
  num_connections?: number;
  policy_decision: string;
  timestamp_range?: { first_detected?: string; last_detected?: string };
  [key: string]: unknown;
}

export interface HealthCluster {
  status?: string;
  fqdn?: string;
  type?: string;
  notifications?: { status?: string; token?: string; message?: string }[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------- alerts

export interface Talker {
  /** Human text, e.g. `app01 (10.0.0.5) -> db02 (10.0.0.9) 5432/tcp`. */
  label: string;
  count: number;
  /** Structured parts for the email table. */
  src?: string;
  srcLabels?: string;
  dst?: string;
  dstLabels?: string;
  service?: string;
}

export interface Alert {
  ruleId: string;
  ruleName: string;
  ruleType: Rule['type'];
  severity: Severity;
  /** Matches inside the window (events: distinct hrefs; traffic: connections). */
  count: number;
  threshold: number;
  windowMinutes: number;
  /** ISO times (UTC, `Z`). */
  windowStart: string;
  windowEnd: string;
  firstSeen: string | undefined;
  lastSeen: string | undefined;
  topTalkers: Talker[];
  /** The first two matching raw records, as the PCE sent them. */
  samples: unknown[];
  /** All matched records of this run for the CSV attachment (capped). */
  records: unknown[];
  /** How many records matched in this run (`records` is capped at email.csvMaxRows). */
  recordsMatched?: number;
  /** Health alerts and other notes, one line each. */
  details: string[];
  /** Set when matches held back by the rule's cooldown are in this alert. */
  held?: { since: string; count: number; cooldownMinutes: number };
}

// ---------------------------------------------------------------- state

export interface RuleState {
  /** [bucketStartMs, count] pairs, one-minute buckets, oldest first. */
  buckets: [number, number][];
  /** Matches ingested since the last alert was raised. */
  newSinceAlert: number;
  /** When the last alert for this rule was delivered (cooldown starts here). */
  lastAlertAt?: string;
  /** Newest match time already covered by an alert. */
  lastAlertedMatchAt?: string;
  /** Health rules: the problems (by subject) the last alert already reported. */
  alertedProblems?: string[];
  /**
   * Event rules: [bucketStartMs, source, count], who caused the matches per
   * minute, oldest first, pruned with the window and capped (the oldest go
   * first), so an alert's talkers describe its whole window.
   */
  talkers?: [number, string, number][];
  /** Event rules: the oldest 2 matching raw events still inside the window. */
  samples?: PceEvent[];
  /** Matches a cooldown holds back, mailed when it ends (see rules/held.ts). */
  held?: HeldMatches;
}

export interface HeldMatches {
  /** When the cooldown first held back a rule at its threshold (ISO); unset = not (yet) owed a mail. */
  since?: string;
  /** Events: new matches since the last alert; traffic: connections of the held window. */
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  /** Events: every source (capped); traffic: the held window's top 5. */
  talkers: Talker[];
  /** Events: the oldest 2 held raw events. */
  samples?: PceEvent[];
}

export interface PendingMail {
  id: string;
  createdAt: string;
  attempts: number;
  lastError?: string;
  ruleIds: string[];
  /** The whole RFC 5322 message, as it was first built. */
  raw: string;
  envelope: { from: string; to: string[] };
}

export interface StateFile {
  version: 1;
  /** Events were read completely up to this time (UTC ISO, `Z`). */
  eventsCheckpoint?: string;
  /** href -> event timestamp (ms), only what falls inside the overlap. */
  seenEvents: Record<string, number>;
  /**
   * Set when a flood made the de-duplication memory drop its oldest entries:
   * it is complete only from this time (ISO) on, and the next read starts
   * no earlier, so no event is read and counted twice.
   */
  seenSince?: string;
  rules: Record<string, RuleState>;
  outbox: PendingMail[];
  lastRun?: {
    at: string;
    ok: boolean;
    alerts: number;
    eventsFetched: number;
    flows: number;
  };
}
