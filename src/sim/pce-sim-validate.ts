/**
 * The checks the PCE makes on an async traffic query body before it queues
 * it; a failure becomes a 406 input_validation_error.
 */
import { parsePceTime } from '../util/time.js';
import { ALL_DECISIONS } from './pce-sim-store.js';

const MAX_RESULTS_LIMIT = 200_000;

/** undefined when the body is acceptable, else what is wrong with it. */
export function validateQueryBody(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';

  if (typeof body.query_name !== 'string' || body.query_name === '') return 'query_name is required';

  const start = parsePceTime(body.start_date);
  const end = parsePceTime(body.end_date);
  if (start === undefined || end === undefined) return 'start_date and end_date must be RFC 3339 times';
  if (start > end) return 'start_date is after end_date';

  return (
    checkActors(body.sources, 'sources') ??
    checkActors(body.destinations, 'destinations') ??
    checkServices(body.services) ??
    checkDecisions(body.policy_decisions) ??
    checkMaxResults(body.max_results)
  );
}

function checkActors(side: unknown, name: string): string | undefined {
  if (!isObject(side) || !Array.isArray(side.include) || !Array.isArray(side.exclude)) {
    return `${name} must be {include: [...], exclude: [...]}`;
  }

  // include is an OR of AND-groups (arrays); exclude is a flat list.
  for (const group of side.include) {
    if (!Array.isArray(group)) return `${name}.include must be a list of lists of actors`;
    const bad = group.map((a) => checkActor(a, `${name}.include`)).find(Boolean);
    if (bad) return bad;
  }
  return side.exclude.map((a) => checkActor(a, `${name}.exclude`)).find(Boolean);
}

function checkActor(actor: unknown, where: string): string | undefined {
  if (!isObject(actor)) return `${where}: an actor must be an object`;

  // A real PCE (21.5+) answers 406 to the nested {"value": ...} form.
  if ('ip_address' in actor && typeof actor.ip_address !== 'string') {
    return `${where}: ip_address must be a plain string`;
  }
  return undefined;
}

function checkServices(services: unknown): string | undefined {
  if (services === undefined) return undefined;
  if (!isObject(services) || !Array.isArray(services.include) || !Array.isArray(services.exclude)) {
    return 'services must be {include: [...], exclude: [...]}';
  }
  return undefined;
}

function checkDecisions(decisions: unknown): string | undefined {
  if (!Array.isArray(decisions)) return 'policy_decisions must be a list';

  const unknown = decisions.find((d) => !ALL_DECISIONS.includes(d as never));
  return unknown === undefined ? undefined : `unknown policy decision ${JSON.stringify(unknown)}`;
}

function checkMaxResults(max: unknown): string | undefined {
  if (max === undefined) return undefined;
  if (!Number.isInteger(max) || (max as number) < 1) return 'max_results must be a positive integer';
  if ((max as number) > MAX_RESULTS_LIMIT) return `max_results must be at most ${MAX_RESULTS_LIMIT}`;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
