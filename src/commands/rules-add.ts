/**
 * `rules add`: a rule from flags, validated with the whole config before it
 * is written. Problems name the flag to fix rather than the JSON path.
 */
import { editConfig, rulesOf } from '../config/edit.js';
import { ConfigError, UsageError, type ConfigProblem } from '../errors.js';
import { SEVERITIES, POLICY_DECISIONS, type Rule } from '../types.js';
import { configPath, ok, verb } from './common.js';

/** Rule field -> flag, for messages and for the type check. */
const FLAGS: Record<string, string> = {
  id: '--id', name: '--name', description: '--description', type: '--type', severity: '--severity',
  threshold: '--threshold', windowMinutes: '--window', cooldownMinutes: '--cooldown', enabled: '--disabled',
  eventTypes: '--event-type', status: '--status', pceSeverities: '--pce-severity',
  policyDecisions: '--decision', port: '--port', proto: '--proto',
  srcLabels: '--src-label', dstLabels: '--dst-label', srcIps: '--src-ip', dstIps: '--dst-ip',
  excludePort: '--exclude-port', excludeProto: '--exclude-proto',
  excludeSrcLabels: '--exclude-src-label', excludeDstLabels: '--exclude-dst-label',
  excludeSrcIps: '--exclude-src-ip', excludeDstIps: '--exclude-dst-ip',
};

const EVENT_ONLY = ['eventTypes', 'status', 'pceSeverities'];
const TRAFFIC_ONLY = ['policyDecisions', 'port', 'proto', 'srcLabels', 'dstLabels', 'srcIps', 'dstIps',
  'excludePort', 'excludeProto', 'excludeSrcLabels', 'excludeDstLabels', 'excludeSrcIps', 'excludeDstIps'];

type Args = Record<string, unknown>;

export const rulesAddCommand = verb({
  command: 'add',
  describe: 'Add a rule; it is validated like the config and a duplicate id is refused',
  builder: (y) => {
    const list = (describe: string) => ({ type: 'string' as const, array: true, describe });
    const one = (describe: string) => ({ type: 'string' as const, describe });
    return y
      .option('id', { ...one('Unique slug (lower-case letters, digits, . _ -), e.g. blocked-smb'), demandOption: true })
      .option('name', one('Human name for the email (default: the id)'))
      .option('description', one('Free text for maintainers'))
      .option('type', { choices: ['event', 'traffic', 'health'] as const, demandOption: true, describe: 'What the rule counts' })
      .option('event-type', list('Event type or glob, e.g. agent.tampering or agent.* (repeatable; event rules)'))
      .option('status', { choices: ['success', 'failure'] as const, describe: 'Only events with this status (event rules)' })
      .option('pce-severity', { ...list('Only events with this PCE severity (repeatable; event rules)'), choices: ['info', 'warning', 'err'] })
      .option('decision', { ...list('Policy decision to match (repeatable; traffic rules)'), choices: [...POLICY_DECISIONS] })
      .option('port', one('Destination port (traffic rules)'))
      .option('proto', one('tcp, udp, icmp or an IANA protocol number (traffic rules)'))
      .option('src-label', list('Source label key=value; all must match (repeatable)'))
      .option('dst-label', list('Destination label key=value; all must match (repeatable)'))
      .option('src-ip', list('Source address or CIDR; any may match (repeatable)'))
      .option('dst-ip', list('Destination address or CIDR; any may match (repeatable)'))
      .option('exclude-port', one('Leave out flows to this port'))
      .option('exclude-proto', one('Leave out flows of this protocol'))
      .option('exclude-src-label', list('Leave out flows whose source has this label (repeatable)'))
      .option('exclude-dst-label', list('Leave out flows whose destination has this label (repeatable)'))
      .option('exclude-src-ip', list('Leave out flows from this address or CIDR (repeatable)'))
      .option('exclude-dst-ip', list('Leave out flows to this address or CIDR (repeatable)'))
      .option('threshold', { ...one('Fire when the window count reaches this (1 = at once)'), default: '1' })
      .option('window', { ...one('Window length in minutes'), default: '10' })
      .option('cooldown', { ...one('Minutes of quiet after a delivered alert'), default: '30' })
      .option('severity', { choices: [...SEVERITIES], default: 'medium' as const, describe: 'Alert severity' })
      .option('disabled', { type: 'boolean', default: false, describe: 'Add the rule switched off' })
      .example('$0 rules add --id blocked-smb --type traffic --decision blocked --port 445 --proto tcp --src-label env=prod --threshold 10 --severity high', 'blocked SMB from prod')
      .example('$0 rules add --id api-key-changes --type event --event-type "api_key.*" --severity medium', 'any API key change, at once');
  },
  handler: async (args, ctx) => {
    const file = configPath(args, ctx.env);
    const rule = ruleFromFlags(args as unknown as Args);

    let at = -1;
    await editConfig(file, (data) => {
      const rules = rulesOf(file, data);
      if (rules.some((r) => r.id === rule.id)) {
        throw new UsageError(`rule id '${rule.id}' already exists; nothing was changed`, `Choose another --id, or remove it first: illumio-monitor rules remove ${rule.id}`);
      }
      at = rules.push(rule) - 1;
    }).catch((err: unknown) => {
      throw err instanceof ConfigError && err.code === 'CONFIG_INVALID' ? inFlagTerms(file, err, at) : err;
    });

    return ok(`added rule ${rule.id} (${rule.type}, ${rule.severity})`, { ok: true, added: [rule.id], rule });
  },
});

/** Build the rule; flags that do not apply to its type are a usage error. */
export function ruleFromFlags(a: Args): Rule {
  const fields: Record<string, unknown> = {
    id: a.id, name: a.name ?? a.id, type: a.type, description: a.description,
    eventTypes: a.eventType, status: a.status, pceSeverities: a.pceSeverity,
    policyDecisions: a.decision, port: num(a.port), proto: proto(a.proto),
    srcLabels: a.srcLabel, dstLabels: a.dstLabel, srcIps: a.srcIp, dstIps: a.dstIp,
    excludePort: num(a.excludePort), excludeProto: proto(a.excludeProto),
    excludeSrcLabels: a.excludeSrcLabel, excludeDstLabels: a.excludeDstLabel,
    excludeSrcIps: a.excludeSrcIp, excludeDstIps: a.excludeDstIp,
    threshold: num(a.threshold), windowMinutes: num(a.window), cooldownMinutes: num(a.cooldown),
    severity: a.severity, enabled: a.disabled ? false : undefined,
  };

  const foreign = (a.type === 'event' ? TRAFFIC_ONLY : a.type === 'traffic' ? EVENT_ONLY : [...EVENT_ONLY, ...TRAFFIC_ONLY])
    .filter((k) => fields[k] !== undefined);
  if (foreign.length > 0) {
    throw new UsageError(`${foreign.map((k) => FLAGS[k]).join(', ')} cannot be used with --type ${String(a.type)}`);
  }

  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as Rule;
}

/** Whole numbers become numbers; anything else stays a string for the schema to name. */
function num(v: unknown): unknown {
  return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
}

function proto(v: unknown): unknown {
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'string' ? v.toLowerCase() : v;
}

/** `/rules/<at>/srcIps/1` -> `--src-ip #2`; problems elsewhere in the file keep their path. */
function inFlagTerms(file: string, err: ConfigError, at: number): ConfigError {
  const problems: ConfigProblem[] = err.problems.map((p) => {
    const m = /^\/rules\/(\d+)\/([A-Za-z]+)(?:\/(\d+))?/.exec(p.path);
    if (!m || Number(m[1]) !== at) return p;
    const flag = FLAGS[m[2] ?? ''] ?? m[2] ?? '';
    return { path: m[3] === undefined ? flag : `${flag} #${Number(m[3]) + 1}`, message: p.message };
  });
  return new ConfigError(`the changed ${file}`, problems, 'Nothing was written.');
}
