/**
 * `rules test --events FILE --flows FILE [--now TIME]`: evaluate the
 * configured rules offline against saved records and say, per rule, what
 * would fire and why. Reads only the config's rules (no secret needed, so it
 * runs in CI), never the network or the state file.
 */
import path from 'node:path';
import { readConfigFile } from '../config/read.js';
import { DEFAULT_EMAIL } from '../config/defaults.js';
import { EXIT, UsageError } from '../errors.js';
import { evaluateOffline, type OfflineResult, type RuleVerdict } from '../rules/offline.js';
import { newestRecordTime, readRecordsFile } from '../rules/offline-records.js';
import { parsePceTime } from '../util/time.js';
import { configPath, verb } from './common.js';

export const rulesTestCommand = verb({
  command: 'test',
  describe: 'Evaluate the rules offline against saved events and flows; print what would fire and why',
  builder: (y) =>
    y
      .option('events', { type: 'string', describe: 'Events: a JSON array or JSON lines (logs/events.jsonl works)' })
      .option('flows', { type: 'string', describe: 'Traffic flows: a JSON array or JSON lines (logs/flows.jsonl works)' })
      .option('now', { type: 'string', describe: 'Evaluate as of this time (ISO 8601; default: the newest record time)' })
      .option('fail-on-alert', { type: 'boolean', default: false, describe: 'Exit 3 when a rule would fire (CI of rule changes)' })
      .example('$0 rules test --events events.json --flows flows.json', 'what would fire at the newest record time')
      .example('$0 rules test --events saved/events.json --flows saved/flows.json --now 2025-03-04T12:00:00Z --fail-on-alert', 'as of a time; exit 3 if anything fires')
      .example('$0 run --save-records saved && $0 rules test --events saved/events.json --flows saved/flows.json', 'replay a run'),
  handler: async (args, ctx) => {
    if (args.events === undefined && args.flows === undefined) {
      throw new UsageError('rules test needs --events FILE, --flows FILE or both', 'Save records with: illumio-monitor run --save-records DIR');
    }

    const cfg = await readConfigFile(configPath(args, ctx.env));
    const events = args.events === undefined ? undefined : await readRecordsFile(path.resolve(args.events), 'events');
    const flows = args.flows === undefined ? undefined : await readRecordsFile(path.resolve(args.flows), 'flows');
    const now = chooseNow(args.now, events ?? [], flows ?? [], ctx.clock.now());

    const result = evaluateOffline({
      rules: cfg.rules,
      events,
      flows,
      now,
      csvMaxRows: cfg.email.csvMaxRows ?? DEFAULT_EMAIL.csvMaxRows,
    });

    const firing = result.rules.filter((r) => r.verdict === 'fires').length;
    const exitCode = args.failOnAlert && firing > 0 ? EXIT.alertsFired : EXIT.ok;
    const json = { ok: true, exitCode, now: result.now, events: result.events, flows: result.flows, firing, rules: result.rules };
    return { exitCode, text: verdictText(result), json };
  },
});

function chooseNow(given: string | undefined, events: unknown[], flows: unknown[], clockNow: number): number {
  if (given === undefined) return newestRecordTime(events, flows) ?? clockNow;

  const now = parsePceTime(given);
  if (now === undefined) throw new UsageError(`--now ${given} is not a time`, 'Use ISO 8601, e.g. 2025-03-04T12:00:00Z');
  return now;
}

const MARK: Record<RuleVerdict['verdict'], string> = {
  fires: 'FIRES',
  'below-threshold': 'quiet',
  'nothing-new': 'quiet',
  'pending-delivery': 'quiet',
  cooldown: 'quiet',
  'not-evaluated': 'skip',
  disabled: 'off',
};

/** One line per rule, then its top talkers indented; a summary last. */
export function verdictText(result: OfflineResult): string {
  const lines = [`as of ${result.now}: ${result.events} events, ${result.flows} flows`];
  for (const v of result.rules) {
    const window = `${v.windowMinutes} min window ${v.windowStart} .. ${v.windowEnd}`;
    const numbers = v.verdict === 'not-evaluated' || v.verdict === 'disabled' ? v.reason : `${v.reason} in the ${window}`;
    lines.push(`${MARK[v.verdict].padEnd(5)} ${v.ruleId} (${v.type}): ${numbers}`);
    for (const t of v.topTalkers) lines.push(`        ${t.count}  ${t.label}`);
  }

  const firing = result.rules.filter((r) => r.verdict === 'fires').length;
  lines.push(`${firing} of ${result.rules.length} rules would fire.`);
  return lines.join('\n');
}
