/**
 * Shape check for a parsed state file. A state that fails it is treated as
 * corrupt (restore the backup or stop), never silently reset.
 */
import type { StateFile } from '../types.js';

/** The first problem found, as `path: what`, or undefined when the state is usable. */
export function stateProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return '/: not an object';
  if (value.version !== 1) return `/version: expected 1, got ${JSON.stringify(value.version)}`;
  if (value.eventsCheckpoint !== undefined && !isIso(value.eventsCheckpoint)) return '/eventsCheckpoint: not a UTC time';
  if (value.seenSince !== undefined && !isIso(value.seenSince)) return '/seenSince: not a UTC time';

  if (!isRecord(value.seenEvents)) return '/seenEvents: not an object';
  for (const [href, at] of Object.entries(value.seenEvents)) {
    if (!Number.isFinite(at)) return `/seenEvents/${href}: not a number`;
  }

  if (!isRecord(value.rules)) return '/rules: not an object';
  for (const [id, rule] of Object.entries(value.rules)) {
    const problem = ruleProblem(rule);
    if (problem) return `/rules/${id}${problem}`;
  }

  if (!Array.isArray(value.outbox)) return '/outbox: not a list';
  const bad = value.outbox.findIndex((m) => !isMail(m));
  return bad >= 0 ? `/outbox/${bad}: not a kept message` : undefined;
}

export function isState(value: unknown): value is StateFile {
  return stateProblem(value) === undefined;
}

function ruleProblem(rule: unknown): string | undefined {
  if (!isRecord(rule)) return ': not an object';
  if (!Array.isArray(rule.buckets)) return '/buckets: not a list';
  const bucket = rule.buckets.findIndex(
    (b) => !Array.isArray(b) || b.length !== 2 || !Number.isFinite(b[0]) || !Number.isFinite(b[1]),
  );
  if (bucket >= 0) return `/buckets/${bucket}: not a [time, count] pair`;
  if (!Number.isFinite(rule.newSinceAlert)) return '/newSinceAlert: not a number';

  for (const key of ['lastAlertAt', 'lastAlertedMatchAt'] as const) {
    if (rule[key] !== undefined && !isIso(rule[key])) return `/${key}: not a UTC time`;
  }
  const problems = rule.alertedProblems;
  if (problems !== undefined && !(Array.isArray(problems) && problems.every((p) => typeof p === 'string'))) {
    return '/alertedProblems: not a list of strings';
  }
  return detailProblem(rule) ?? heldProblem(rule.held);
}

/** What a cooldown holds back: a count, times, talkers and raw events. */
function heldProblem(held: unknown): string | undefined {
  if (held === undefined) return undefined;
  if (!isRecord(held)) return '/held: not an object';
  if (!Number.isFinite(held.count)) return '/held/count: not a number';
  for (const key of ['since', 'firstSeen', 'lastSeen'] as const) {
    if (held[key] !== undefined && !isIso(held[key])) return `/held/${key}: not a UTC time`;
  }
  if (!Array.isArray(held.talkers)) return '/held/talkers: not a list';
  const talker = held.talkers.findIndex((t) => !isRecord(t) || typeof t.label !== 'string' || !Number.isFinite(t.count));
  if (talker >= 0) return `/held/talkers/${talker}: not a talker with label and count`;
  const problem = detailProblem({ samples: held.samples });
  return problem && `/held${problem}`;
}

/** Event rules' talkers ([minute, source, count] triples) and samples (raw events). */
function detailProblem(rule: Record<string, unknown>): string | undefined {
  const { talkers, samples } = rule;
  if (talkers !== undefined && !Array.isArray(talkers)) return '/talkers: not a list';
  const talker = (talkers as unknown[] | undefined)?.findIndex(
    (t) => !Array.isArray(t) || t.length !== 3 || !Number.isFinite(t[0]) || typeof t[1] !== 'string' || !Number.isFinite(t[2]),
  );
  if (talker !== undefined && talker >= 0) return `/talkers/${talker}: not a [time, source, count] triple`;

  if (samples !== undefined && !Array.isArray(samples)) return '/samples: not a list';
  const sample = (samples as unknown[] | undefined)?.findIndex(
    (e) => !isRecord(e) || typeof e.href !== 'string' || typeof e.timestamp !== 'string',
  );
  if (sample !== undefined && sample >= 0) return `/samples/${sample}: not an event with href and timestamp`;
  return undefined;
}

function isMail(m: unknown): boolean {
  if (!isRecord(m) || !isRecord(m.envelope)) return false;
  return (
    typeof m.id === 'string' &&
    typeof m.createdAt === 'string' &&
    Number.isFinite(m.attempts) &&
    typeof m.raw === 'string' &&
    Array.isArray(m.ruleIds) &&
    m.ruleIds.every((r) => typeof r === 'string') &&
    typeof m.envelope.from === 'string' &&
    Array.isArray(m.envelope.to)
  );
}

function isIso(v: unknown): boolean {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
