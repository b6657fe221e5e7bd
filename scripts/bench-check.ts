/**
 * The benchmark's rules and the check of each monitor run: exit code, the
 * main rule's total and top talkers in `run --json`, and its first two raw
 * records in the mail, all against what bench-data.ts counted.
 */
import type { CapturedMessage } from '../src/sim/smtp-capture.js';
import type { TrafficRule } from '../src/types.js';
import type { Expected } from './bench-data.js';
import type { Measured } from './bench-measure.js';

export const MAIN_RULE: TrafficRule = {
  id: 'blocked-any', name: 'Blocked traffic', type: 'traffic', policyDecisions: ['blocked'],
  threshold: 1, windowMinutes: 60, cooldownMinutes: 30, severity: 'high',
} as TrafficRule;

const PORTS = [22, 445, 3389, 5432, 443, 53, 1433, 8080, 135, 123, 389, 6379];

/** The main rule and n - 1 others on ports, labels and address ranges, over both blocked decisions. */
export function manyRules(n: number): TrafficRule[] {
  const rules: TrafficRule[] = [MAIN_RULE];
  for (let i = 1; i < n; i++) {
    const rule: Record<string, unknown> = {
      id: `rule-${i}`, name: `Rule ${i}`, type: 'traffic',
      policyDecisions: i % 2 ? ['blocked'] : ['blocked', 'potentially_blocked'],
      port: PORTS[i % PORTS.length], proto: i % 12 === 5 || i % 12 === 9 ? 'udp' : 'tcp',
      threshold: 1_000_000, windowMinutes: 60, cooldownMinutes: 30, severity: 'medium',
    };
    if (i % 3 === 0) rule.dstLabels = [`role=ROLE-${1 + (i % 40)}`];
    if (i % 4 === 0) rule.srcIps = ['172.16.0.0/12'];
    if (i % 5 === 0) rule.excludeSrcLabels = [`env=ENV-${1 + (i % 40)}`];
    rules.push(rule as unknown as TrafficRule);
  }
  return rules;
}

interface RunJson {
  exitCode: number;
  traffic: { flows: number; error: string | null };
  alerts: { ruleId: string; count: number; topTalkers: { label: string; count: number }[] }[];
}

export function checkRun(name: string, m: Measured, expected: Expected, mail: CapturedMessage | undefined): void {
  const fail = (what: string) => {
    throw new Error(`${name}: ${what}\n${m.stderr.slice(0, 3000)}`);
  };
  let report: RunJson;
  try {
    report = JSON.parse(m.stdout) as RunJson;
  } catch {
    return fail(`no JSON report (exit ${m.code})`);
  }
  if (report.traffic.error) fail(`traffic failed: ${report.traffic.error}`);

  const alert = report.alerts.find((a) => a.ruleId === MAIN_RULE.id);
  if (!alert) return fail('no alert for the main rule');
  if (alert.count !== expected.count) fail(`counted ${alert.count} connections, expected ${expected.count}`);
  if (JSON.stringify(alert.topTalkers) !== JSON.stringify(expected.topTalkers)) {
    fail(`top talkers differ:\n got ${JSON.stringify(alert.topTalkers)}\nwant ${JSON.stringify(expected.topTalkers)}`);
  }

  const text = mail?.parsed.text ?? '';
  for (const [i, sample] of expected.samples.entries()) {
    if (!text.includes(JSON.stringify(sample, null, 2))) fail(`raw record ${i + 1} missing from the mail`);
  }
}
