/**
 * Alerts, records and settings for the mail tests, built here from raw PCE
 * shapes (including hostile and non-ASCII names), plus a reader for the
 * table cells of the rendered HTML.
 */
import type { Coverage, RenderContext } from '../../src/alert/render.js';
import type { Alert, PceEvent, ResolvedConfig, ResolvedSmtp, Talker, TrafficFlow } from '../../src/types.js';

export const HOSTILE_HOST = '<img src=x onerror=alert(1)>';
export const HOSTILE_LABEL = '<script>alert(2)</script>';
export const HOSTILE_USER = '"><svg onload=alert(3)>';
export const NON_ASCII_HOST = '資料庫-01.例子.tw';

export function smtpSettings(port: number, extra: Partial<ResolvedSmtp> = {}): ResolvedSmtp {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    starttls: 'off',
    user: undefined,
    password: undefined,
    caFile: undefined,
    verifyTls: true,
    ehloName: undefined,
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 5000,
    ...extra,
  };
}

export function emailSettings(port: number, extra: Partial<ResolvedConfig['email']> = {}): ResolvedConfig['email'] {
  return {
    from: 'illumio-monitor@example.com',
    to: ['soc@example.com'],
    subjectPrefix: '[Illumio Monitor]',
    language: 'en',
    timeZone: 'UTC',
    csvMaxRows: 1000,
    smtp: smtpSettings(port),
    ...extra,
  };
}

export function coverage(extra: Partial<Coverage> = {}): Coverage {
  return {
    rangeStart: '2025-03-04T09:00:00.000Z',
    rangeEnd: '2025-03-04T10:20:00.000Z',
    eventsFetched: 1234,
    flowsAnalysed: 560,
    truncated: false,
    rulesEvaluated: 11,
    suppressedByCooldown: 2,
    ...extra,
  };
}

export function renderContext(email: ResolvedConfig['email'], extra: Partial<RenderContext> = {}): RenderContext {
  return {
    email,
    pceUrl: 'https://pce.example.com:8443',
    orgId: 1,
    now: Date.parse('2025-03-04T10:20:05Z'),
    coverage: coverage(),
    hostname: 'monitor01',
    ...extra,
  };
}

// ---------------------------------------------------------------- records

export function flow(src: { ip: string; host?: string; labels?: string[] }, dst: { ip: string; host?: string; labels?: string[] }, port: number, conns: number): TrafficFlow {
  const endpoint = (e: typeof src) => ({
    ip: e.ip,
    ...(e.host ? { workload: { hostname: e.host, labels: (e.labels ?? []).map(labelOf) } } : {}),
  });
  return {
    src: endpoint(src),
    dst: endpoint(dst),
    service: { port, proto: 6 },
    num_connections: conns,
    policy_decision: 'blocked',
    timestamp_range: { first_detected: '2025-03-04T10:11:00Z', last_detected: '2025-03-04T10:14:00Z' },
  };
}

function labelOf(kv: string): { key: string; value: string } {
  const at = kv.indexOf('=');
  return { key: kv.slice(0, at), value: kv.slice(at + 1) };
}

/** Seven flows over six distinct talkers: one hostile, one non-ASCII, one repeated. */
export function blockedFlows(): TrafficFlow[] {
  const db = { ip: '10.0.0.9', host: 'db02', labels: ['role=db', 'env=prod'] };
  return [
    flow({ ip: '10.0.0.5', host: HOSTILE_HOST, labels: [`app=${HOSTILE_LABEL}`, 'env=prod'] }, db, 445, 20),
    flow({ ip: '10.0.0.6', host: NON_ASCII_HOST, labels: ['env=prod'] }, db, 445, 9),
    flow({ ip: '10.0.0.7', host: 'app07', labels: ['env=prod'] }, db, 445, 4),
    flow({ ip: '10.0.0.5', host: HOSTILE_HOST, labels: [`app=${HOSTILE_LABEL}`, 'env=prod'] }, db, 445, 5),
    flow({ ip: '192.168.1.20' }, db, 445, 3),
    flow({ ip: '10.0.0.8', host: '=HYPERLINK("http://evil.example","x")', labels: ['env=+cmd'] }, db, 445, 2),
    flow({ ip: '10.0.0.10', host: '@SUM(1)', labels: ['env=-1+1'] }, db, 445, 1),
  ];
}

/** Top talkers computed the straightforward way: group, sum, sort, first five. */
export function talkersOf(flows: TrafficFlow[]): Talker[] {
  const side = (e: TrafficFlow['src']) => (e.workload?.hostname ? `${e.workload.hostname} (${e.ip})` : e.ip);
  const labels = (e: TrafficFlow['src']) => (e.workload?.labels ?? []).map((l) => `${l.key}=${l.value}`).join(', ');
  const sums = new Map<string, Talker>();

  for (const f of flows) {
    const service = `${f.service.port}/tcp`;
    const key = `${side(f.src)}|${side(f.dst)}|${service}`;
    const seen = sums.get(key);
    if (seen) seen.count += f.num_connections ?? 1;
    else {
      sums.set(key, {
        label: `${side(f.src)} -> ${side(f.dst)} ${service}`,
        count: f.num_connections ?? 1,
        src: side(f.src),
        srcLabels: labels(f.src),
        dst: side(f.dst),
        dstLabels: labels(f.dst),
        service,
      });
    }
  }
  return [...sums.values()].sort((a, b) => b.count - a.count).slice(0, 5);
}

export function trafficAlert(flows = blockedFlows(), extra: Partial<Alert> = {}): Alert {
  return {
    ruleId: 'blocked-smb',
    ruleName: 'Blocked SMB from prod',
    ruleType: 'traffic',
    severity: 'high',
    count: flows.reduce((n, f) => n + (f.num_connections ?? 1), 0),
    threshold: 10,
    windowMinutes: 10,
    windowStart: '2025-03-04T10:05:00.000Z',
    windowEnd: '2025-03-04T10:15:00.000Z',
    firstSeen: '2025-03-04T10:11:00.000Z',
    lastSeen: '2025-03-04T10:14:00.000Z',
    topTalkers: talkersOf(flows),
    samples: flows.slice(0, 2),
    records: flows,
    details: [],
    ...extra,
  };
}

export function tamperEvent(host: string, i: number): PceEvent {
  return {
    href: `/orgs/1/events/00000000-0000-4000-8000-00000000000${i}`,
    timestamp: '2025-03-04T10:15:22.481Z',
    event_type: 'agent.tampering',
    status: 'success',
    severity: 'err',
    pce_fqdn: 'pce.example.com',
    created_by: { agent: { href: '/orgs/1/agents/4117', hostname: host } },
    action: null,
  };
}

export function loginFailure(user: string, i: number): PceEvent {
  return {
    href: `/system_events/00000000-0000-4000-8000-0000000001${i}`,
    timestamp: '2025-03-04T10:12:00.000Z',
    event_type: 'user.sign_in',
    status: 'failure',
    severity: 'info',
    created_by: { system: {} },
    action: { api_endpoint: '/login/users/sign_in', api_method: 'POST', http_status_code: 200, src_ip: '10.0.0.50' },
    notifications: [{ notification_type: 'user.login_failed', info: { associated_user: { supplied_username: user } } }],
  };
}

export function eventAlert(ruleName: string, severity: Alert['severity'], events: PceEvent[], source: (e: PceEvent) => string): Alert {
  const counts = new Map<string, number>();
  for (const ev of events) counts.set(source(ev), (counts.get(source(ev)) ?? 0) + 1);

  return {
    ruleId: ruleName.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    ruleName,
    ruleType: 'event',
    severity,
    count: events.length,
    threshold: 1,
    windowMinutes: 10,
    windowStart: '2025-03-04T10:10:00.000Z',
    windowEnd: '2025-03-04T10:20:00.000Z',
    firstSeen: events[events.length - 1]?.timestamp,
    lastSeen: events[0]?.timestamp,
    topTalkers: [...counts].map(([src, count]) => ({ label: src, src, count })),
    samples: events.slice(0, 2),
    records: events,
    details: [],
  };
}

// ---------------------------------------------------------------- HTML reading

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** Visible text of an HTML fragment: <br> is a newline, tags dropped, entities decoded. */
export function cellText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m)
    .trim();
}

/** Every `<table class="NAME">` as rows of cell texts (header row included). */
export function tables(html: string, className: string): string[][][] {
  const found = html.match(new RegExp(`<table class="${className}"[^>]*>[\\s\\S]*?</table>`, 'g')) ?? [];
  return found.map((table) =>
    (table.match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map((row) =>
      (row.match(/<t[hd][^>]*>[\s\S]*?<\/t[hd]>/g) ?? []).map(cellText),
    ),
  );
}
