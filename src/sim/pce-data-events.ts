/**
 * The kinds of audit event the generator makes, with their weights and
 * payloads, shaped like shared/samples and the PCE documentation.
 */
import type { PceEvent } from '../types.js';
import type { DataRng, SimHost } from './pce-data.js';

interface BuildInput {
  rng: DataRng;
  host: SimHost;
  srcIp: string;
  orgId: number;
}

type Payload = Pick<PceEvent, 'created_by' | 'status' | 'severity' | 'action' | 'resource_changes' | 'notifications'>;

export interface EventKind {
  type: string;
  weight: number;
  /** Failure variant of a type that also has a success variant. */
  failure?: boolean;
  /** Some auth events live under /system_events/. */
  systemEvent?: boolean;
  build(input: BuildInput): Payload;
}

const SYSTEM = { system: {} };
const USERS = ['jdoe@example.com', 'asmith@example.com', 'ops@example.com', 'admin'];

function agentBy(host: SimHost, orgId: number, rng: DataRng) {
  const hostname = host.workload.hostname;
  return {
    agent: { href: `/orgs/${orgId}/agents/${rng.int(1000, 9999)}`, hostname },
    ven: { href: `/orgs/${orgId}/vens/${rng.uuid()}`, hostname },
  };
}

function workloadChange(host: SimHost, rng: DataRng, field: string, before: unknown, after: unknown) {
  const { href, hostname, labels } = host.workload;
  return [
    {
      uuid: rng.uuid(),
      resource: { workload: { href, name: null, hostname, labels } },
      changes: { [field]: { before, after } },
      change_type: 'update',
    },
  ];
}

function note(rng: DataRng, type: string, info: unknown) {
  return [{ uuid: rng.uuid(), notification_type: type, info }];
}

function action(rng: DataRng, endpoint: string, method: string, status: number, srcIp: string) {
  return { uuid: rng.uuid(), api_endpoint: endpoint, api_method: method, http_status_code: status, src_ip: srcIp };
}

export const EVENT_KINDS: readonly EventKind[] = [
  {
    type: 'agent.tampering',
    weight: 3,
    build: ({ rng, host, orgId }) => ({
      created_by: agentBy(host, orgId, rng),
      status: 'success',
      severity: 'err',
      action: null,
      notifications: note(rng, 'workload.oob_policy_changes', { tampering_revert_succeeded: true, num_reverts: rng.int(1, 4) }),
    }),
  },
  {
    type: 'system_task.agent_offline_check',
    weight: 3,
    build: ({ rng, host }) => ({
      created_by: SYSTEM,
      status: 'success',
      severity: 'info',
      action: null,
      resource_changes: workloadChange(host, rng, 'online', true, false),
    }),
  },
  {
    type: 'system_task.agent_missed_heartbeats_check',
    weight: 4,
    build: ({ rng, host }) => ({
      created_by: SYSTEM,
      status: 'success',
      severity: 'warning',
      action: null,
      notifications: note(rng, 'agent.missed_heartbeats', { hostname: host.workload.hostname, missed_heartbeats: 3 }),
    }),
  },
  {
    type: 'request.authentication_failed',
    weight: 6,
    failure: true,
    build: ({ rng, srcIp }) => ({
      created_by: SYSTEM,
      status: 'failure',
      severity: 'err',
      action: null,
      notifications: note(rng, 'request.authentication_failed', {
        api_endpoint: '/api/v2/users/login',
        api_method: 'GET',
        src_ip: srcIp,
        api_key_id: `${rng.int(10_000, 99_999)}`,
      }),
    }),
  },
  {
    type: 'user.sign_in',
    weight: 4,
    failure: true,
    build: ({ rng, srcIp }) => ({
      created_by: SYSTEM,
      status: 'failure',
      severity: 'info',
      action: action(rng, '/login/users/sign_in', 'POST', 200, srcIp),
      notifications: note(rng, 'user.login_failed', { associated_user: { supplied_username: rng.pick(USERS) } }),
    }),
  },
  {
    type: 'user.login',
    weight: 3,
    failure: true,
    systemEvent: true,
    build: ({ rng, srcIp }) => ({
      created_by: SYSTEM,
      status: 'failure',
      severity: 'err',
      action: action(rng, '/api/v2/users/login', 'GET', 401, srcIp),
      notifications: note(rng, 'request.authentication_failed', { src_ip: srcIp }),
    }),
  },
  {
    type: 'agent.suspend',
    weight: 1,
    build: ({ rng, host, orgId }) => ({
      created_by: agentBy(host, orgId, rng),
      status: 'success',
      severity: 'warning',
      action: null,
      resource_changes: workloadChange(host, rng, 'agent_status', 'active', 'suspended'),
    }),
  },
  {
    type: 'agent.clone_detected',
    weight: 1,
    build: ({ rng, host, orgId }) => ({
      created_by: agentBy(host, orgId, rng),
      status: null,
      severity: 'err',
      action: null,
      notifications: note(rng, 'agent.clone_detected', {
        agent: { href: `/orgs/${orgId}/agents/${rng.int(1000, 9999)}`, name: host.workload.name, hostname: host.workload.hostname },
      }),
    }),
  },
  ...benignKinds(),
];

/** Everyday events the default rules must not alert on. */
function benignKinds(): EventKind[] {
  const user = (rng: DataRng) => ({ user: { href: `/users/${rng.int(1, 9)}`, username: rng.pick(USERS) } });
  const simple = (type: string, weight: number, endpoint: string, method: string): EventKind => ({
    type,
    weight,
    failure: false,
    build: ({ rng, srcIp }) => ({
      created_by: user(rng),
      status: 'success',
      severity: 'info',
      action: action(rng, endpoint, method, method === 'POST' ? 201 : 204, srcIp),
    }),
  });
  return [
    simple('user.sign_in', 10, '/login/users/sign_in', 'POST'),
    simple('user.logout', 6, '/api/v2/users/logout_from_jwt', 'POST'),
    simple('sec_rule.create', 5, '/api/v2/orgs/1/sec_policy/draft/rule_sets/7/sec_rules', 'POST'),
    simple('rule_set.update', 5, '/api/v2/orgs/1/sec_policy/draft/rule_sets/7', 'PUT'),
    simple('sec_policy.create', 2, '/api/v2/orgs/1/sec_policy', 'POST'),
    simple('api_key.create', 1, '/api/v2/users/1/api_keys', 'POST'),
    {
      type: 'agent.update',
      weight: 8,
      build: ({ rng, host, orgId }) => ({ created_by: agentBy(host, orgId, rng), status: 'success', severity: 'info', action: null }),
    },
    {
      type: 'workload.online',
      weight: 3,
      build: ({ rng, host }) => ({
        created_by: SYSTEM,
        status: 'success',
        severity: 'info',
        action: null,
        resource_changes: workloadChange(host, rng, 'online', false, true),
      }),
    },
  ];
}
