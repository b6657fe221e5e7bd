/**
 * convertLegacyConfig against hand-written configs in the Python tool's real
 * format: the exact ConfigFile and the exact list of changes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../src/errors.js';
import { convertLegacyConfig } from '../src/config/legacy.js';
import { validateConfig } from '../src/config/load.js';
import { repoRoot } from './helpers/cli.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'legacy');
const load = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));

const BLOCKED_DESC = '流量被阻擋 (Blocked PD=2) | Recommendation: 檢查 Policy Scope，確認是否有合法流量被誤擋。';
const POTENTIAL_DESC = '潛在阻擋流量 (Potentially Blocked PD=1) | Recommendation: 檢查 Policy Scope，確認是否有合法流量被誤擋。';
const NO_COOLDOWN = 'added: the legacy rule had neither and mailed again on every run';
const SHARED6 = '(6 rules shared that id, so their counts and cooldowns mixed)';
const SHARED2 = '(2 rules shared that id, so their counts and cooldowns mixed)';
const PORT_NOTE = "now matches the flow's service.port; the first Python version compared dst_port, a field PCE flow records do not have, so there this rule never matched";

test('the first Python version (best practices plus own traffic rules) converts exactly', () => {
  const result = convertLegacyConfig(load('illumio_api_config.json'), { secretFileName: 'pce-secret' });

  assert.deepEqual(result.config, {
    pce: { url: 'https://pce.corp.example.net:8443', orgId: 3, apiKey: 'api_17e0c4a5b9d2f3a61', apiSecretFile: 'pce-secret', verifyTls: false },
    email: {
      from: 'illumio-monitor@corp.example.net',
      to: ['soc@corp.example.net', 'netops@corp.example.net'],
      smtp: { host: 'localhost', port: 25, starttls: 'off' },
    },
    rules: [
      { id: 'agent-tampering', name: 'Agent 遭到竄改', type: 'event', eventTypes: ['agent.tampering'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'critical', description: '偵測到防火牆遭到竄改 | Recommendation: 請立即調查，工作負載可能已遭入侵。' },
      { id: 'agent-missed-heartbeats', name: '遺失心跳', type: 'event', eventTypes: ['system_task.agent_missed_heartbeats_check'], threshold: 3, windowMinutes: 10, cooldownMinutes: 60, severity: 'medium', description: 'Agent 未回報心跳 | Recommendation: 通常是離線的前兆。請檢查網路連線。' },
      { id: 'agent-offline', name: 'Agent 離線', type: 'event', eventTypes: ['system_task.agent_offline_check'], threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'high', description: 'Agent 被標記為離線 | Recommendation: 安全性狀態已改變。請調查主機狀態。' },
      { id: 'console-login-failures', name: '登入失敗', type: 'event', eventTypes: ['user.sign_in', 'user.login'], status: 'failure', threshold: 3, windowMinutes: 10, cooldownMinutes: 30, severity: 'high', description: 'Console 登入失敗 | Recommendation: 監控是否為暴力破解攻擊或帳號鎖定。' },
      { id: 'api-auth-failures', name: 'API 認證失敗', type: 'event', eventTypes: ['request.authentication_failed'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'high', description: 'API Key 認證失敗 | Recommendation: 驗證 API Key 有效性與輪替策略。' },
      { id: 'rule-set', name: '規則集變更', type: 'event', eventTypes: ['rule_set.*'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'medium', description: '防火牆規則被修改 | Recommendation: 確認變更範圍是否過大或符合預期。' },
      { id: 'blocked-traffic', name: '大量被阻擋流量', type: 'traffic', policyDecisions: ['blocked'], threshold: 10, windowMinutes: 10, cooldownMinutes: 60, severity: 'medium', description: BLOCKED_DESC },
      { id: 'potentially-blocked-traffic', name: '潛在阻擋流量', type: 'traffic', policyDecisions: ['potentially_blocked'], threshold: 10, windowMinutes: 10, cooldownMinutes: 60, severity: 'low', description: POTENTIAL_DESC },
      { id: 'blocked-traffic-port-445', name: '阻擋流量 [Port:445] [來源:role=Web, env=Prod]', type: 'traffic', policyDecisions: ['blocked'], port: 445, srcLabels: ['role=Web', 'env=Prod'], threshold: 5, windowMinutes: 15, cooldownMinutes: 30, severity: 'medium', description: BLOCKED_DESC },
      { id: 'potential-db-access', name: 'Potential DB access', type: 'traffic', policyDecisions: ['potentially_blocked'], threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'low', description: POTENTIAL_DESC, enabled: false },
      { id: 'pce-health', name: 'PCE health', type: 'health', threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'critical' },
    ],
  });

  assert.deepEqual(result.changes, [
    { path: '/api/url', message: "'https://pce.corp.example.net:8443/' written as 'https://pce.corp.example.net:8443' (no /api/v2 or trailing slash; it is added per request)" },
    { path: '/api/secret', message: 'moved to the file pce-secret (mode 0600) beside the config, referenced as pce.apiSecretFile' },
    { path: '/email', message: 'email.smtp set to localhost port 25 without STARTTLS, where the legacy tool always sent mail' },
    { path: '/rules/0', message: `severity critical and cooldownMinutes 30 ${NO_COOLDOWN}` },
    { path: '/rules/0/id', message: `legacy id 1718000000 replaced by 'agent-tampering' ${SHARED6}` },
    { path: '/rules/1/filter_value', message: "'agent_missed_heartbeats' replaced by system_task.agent_missed_heartbeats_check: 'agent_missed_heartbeats' is only part of the PCE's event type name" },
    { path: '/rules/1', message: `severity medium and cooldownMinutes 60 ${NO_COOLDOWN}` },
    { path: '/rules/1/id', message: `legacy id 1718000000 replaced by 'agent-missed-heartbeats' ${SHARED6}` },
    { path: '/rules/2/filter_value', message: "'agent_offline_check' replaced by system_task.agent_offline_check: 'agent_offline_check' is only part of the PCE's event type name" },
    { path: '/rules/2', message: `severity high and cooldownMinutes 60 ${NO_COOLDOWN}` },
    { path: '/rules/2/id', message: `legacy id 1718000000 replaced by 'agent-offline' ${SHARED6}` },
    { path: '/rules/3/filter_value', message: "'user.login_failed' replaced by user.sign_in + user.login with status failure: the PCE has no event type 'user.login_failed'; failed console logins are user.sign_in and user.login events with status failure" },
    { path: '/rules/3', message: `severity high and cooldownMinutes 30 ${NO_COOLDOWN}` },
    { path: '/rules/3/id', message: `legacy id 1718000000 replaced by 'console-login-failures' ${SHARED6}` },
    { path: '/rules/4', message: `severity high and cooldownMinutes 30 ${NO_COOLDOWN}` },
    { path: '/rules/4/id', message: `legacy id 1718000000 replaced by 'api-auth-failures' ${SHARED6}` },
    { path: '/rules/5/filter_value', message: "'rule_set' replaced by rule_set.*: 'rule_set' is only part of the PCE's event type names (rule_set.create, rule_set.update, rule_set.delete)" },
    { path: '/rules/5', message: `severity medium and cooldownMinutes 30 ${NO_COOLDOWN}` },
    { path: '/rules/5/id', message: `legacy id 1718000000 replaced by 'rule-set' ${SHARED6}` },
    { path: '/rules/6', message: `severity medium and cooldownMinutes 60 ${NO_COOLDOWN}` },
    { path: '/rules/6/id', message: `legacy id 1718000001 replaced by 'blocked-traffic' ${SHARED2}` },
    { path: '/rules/7', message: `severity low and cooldownMinutes 60 ${NO_COOLDOWN}` },
    { path: '/rules/7/id', message: `legacy id 1718000001 replaced by 'potentially-blocked-traffic' ${SHARED2}` },
    { path: '/rules/8/port', message: `port 445 ${PORT_NOTE}` },
    { path: '/rules/8/src_label', message: "'role=Web, env=Prod' split into 2 labels (role=Web, env=Prod); the legacy tool read it as a single label and never matched it" },
    { path: '/rules/8', message: `severity medium and cooldownMinutes 30 ${NO_COOLDOWN}` },
    { path: '/rules/8/id', message: "legacy id 1718086400 replaced by 'blocked-traffic-port-445'" },
    { path: '/rules/9/dst_label', message: "dropped 'Database': not key=value, so the legacy rule never matched" },
    { path: '/rules/9', message: `severity low and cooldownMinutes 60 ${NO_COOLDOWN}` },
    { path: '/rules/9/id', message: "legacy id 1718090000 replaced by 'potential-db-access'" },
    { path: '/rules', message: "added the health rule 'pce-health': the legacy tool checked PCE health on every run" },
  ]);

  assert.deepEqual(result.warnings, [
    'PCE certificate checks stay off (verify_ssl was false): put the PCE CA certificate in a file, set pce.caFile to it and remove pce.verifyTls',
    "rule 'Potential DB access' (/rules/9) is imported disabled: its dst_label filter 'Database' is not key=value. Fix the filter, then set its enabled to true.",
    'traffic thresholds count connections (the sum of num_connections per flow); the first Python version counted flow records, so count rules may fire sooner',
    'the legacy state file (checkpoint and counts) is not imported: the first run reads back monitor.firstRunLookbackMinutes (default 60)',
  ]);
  assert.deepEqual(validateConfig(result.config), []);
});

test('a later Python version (smtp, settings, alerts, exclusions, bandwidth rule) converts exactly', () => {
  const result = convertLegacyConfig(load('config-v2.json'), { secretFileName: 'secrets/pce', passwordFileName: 'secrets/smtp' });

  assert.deepEqual(result.config, {
    pce: { url: 'https://pce.lab.example.org:8443', orgId: 1, apiKey: 'api_0a1b2c3d4e5f60718', apiSecretFile: 'secrets/pce' },
    email: {
      from: 'Illumio Monitor <pce-alerts@lab.example.org>',
      to: ['secops@lab.example.org'],
      smtp: { host: 'mail.lab.example.org', port: 587, starttls: 'required', user: 'pce-alerts@lab.example.org', passwordFile: 'secrets/smtp' },
      language: 'zh-TW',
    },
    rules: [
      { id: 'agent-tampering', name: 'Agent tampering', type: 'event', eventTypes: ['agent.tampering'], threshold: 1, windowMinutes: 10, cooldownMinutes: 15, severity: 'critical', description: 'Best Practice | Recommendation: Check Logs' },
      {
        id: 'blocked-rdp', name: 'Blocked RDP', type: 'traffic',
        policyDecisions: ['blocked', 'potentially_blocked', 'allowed', 'unknown'],
        port: 3389, proto: 'tcp', dstLabels: ['env=Prod'], excludeSrcLabels: ['env=Kubernetes'], srcIps: ['10.20.0.0/16'],
        threshold: 20, windowMinutes: 30, cooldownMinutes: 60, severity: 'medium',
      },
      { id: 'pce-health', name: 'PCE health', type: 'health', threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'critical' },
    ],
  });

  assert.deepEqual(result.changes, [
    { path: '/api/url', message: "'pce.lab.example.org:8443/api/v2' has no scheme: https:// added" },
    { path: '/api/url', message: "'https://pce.lab.example.org:8443/api/v2' written as 'https://pce.lab.example.org:8443' (no /api/v2 or trailing slash; it is added per request)" },
    { path: '/api/secret', message: 'moved to the file secrets/pce (mode 0600) beside the config, referenced as pce.apiSecretFile' },
    { path: '/email/recipients/1', message: "dropped 'secops@lab.example.org': listed twice" },
    { path: '/email/recipients/2', message: "dropped 'not-an-address': not an email address" },
    { path: '/smtp', message: 'moved to email.smtp' },
    { path: '/smtp/password', message: 'moved to the file secrets/smtp (mode 0600) beside the config, referenced as email.smtp.passwordFile' },
    { path: '/settings/language', message: "'zh_TW' moved to email.language as zh-TW" },
    { path: '/alerts', message: 'dropped: only email alerts are supported (LINE and webhook settings, including their tokens, were not copied)' },
    { path: '/rules/0', message: 'severity critical added: legacy rules had none' },
    { path: '/rules/0/id', message: "legacy id 1771500000 replaced by 'agent-tampering'" },
    { path: '/rules/1/pd', message: '3 (any decision) became all of blocked, potentially_blocked, allowed, unknown' },
    { path: '/rules/1/port', message: `port 3389 ${PORT_NOTE}` },
    { path: '/rules/1/dst_label', message: "'env = Prod' written as 'env=Prod' (blanks around the key and value removed)" },
    { path: '/rules/1/ex_src_ip', message: "dropped 'Scanners': IP list names are not supported; use addresses or CIDR blocks" },
    { path: '/rules/1', message: 'severity medium added: legacy rules had none' },
    { path: '/rules/1/id', message: "legacy id 1771500100 replaced by 'blocked-rdp'" },
    { path: '/rules/2', message: "dropped the bandwidth rule 'Bandwidth': bandwidth and volume thresholds are not supported" },
    { path: '/rules', message: "added the health rule 'pce-health': the legacy tool checked PCE health on every run" },
  ]);

  assert.deepEqual(result.warnings, [
    "rule at /rules/1 no longer leaves out flows of the IP list 'Scanners'; add its addresses to excludeSrcIps",
    'traffic thresholds count connections (the sum of num_connections per flow); the first Python version counted flow records, so count rules may fire sooner',
    'the legacy state file (checkpoint and counts) is not imported: the first run reads back monitor.firstRunLookbackMinutes (default 60)',
  ]);
});

test('no secret of the legacy file appears in the result', () => {
  const legacy = load('config-v2.json') as { api: { secret: string }; smtp: { password: string }; alerts: { line_channel_access_token: string } };
  const text = JSON.stringify(convertLegacyConfig(legacy, { secretFileName: 'pce-secret' }));

  for (const secret of [legacy.api.secret, legacy.smtp.password, legacy.alerts.line_channel_access_token]) {
    assert.equal(text.includes(secret), false);
  }
});

test('the Python defaults (empty key, sender without a domain, SMTP auth off) become placeholders and drops', () => {
  const result = convertLegacyConfig(
    {
      api: { url: 'https://pce.example.com:8443', org_id: '1', key: '', secret: '', verify_ssl: true },
      email: { sender: 'illumio-monitor@localhost', recipients: ['admin@example.com'] },
      smtp: { host: '127.0.0.1', port: 25, user: 'relay', password: 'unused-pass', enable_auth: false, enable_tls: false },
      settings: { enable_health_check: false, language: 'en' },
      rules: [],
    },
    { secretFileName: 'pce-secret' },
  );

  assert.deepEqual(result.config, {
    pce: { url: 'https://pce.example.com:8443', orgId: 1, apiKey: 'api_REPLACE_ME' },
    email: { from: 'illumio-monitor@example.invalid', to: ['admin@example.com'], smtp: { host: '127.0.0.1', port: 25, starttls: 'off' } },
    rules: [],
  });
  assert.deepEqual(result.changes, [
    { path: '/email/sender', message: 'replaced by the placeholder illumio-monitor@example.invalid' },
    { path: '/smtp', message: 'moved to email.smtp' },
    { path: '/smtp/user', message: 'dropped: enable_auth was off, so the legacy tool never logged in' },
    { path: '/smtp/password', message: 'dropped (not copied anywhere): enable_auth was off, so the legacy tool never logged in' },
    { path: '/settings/enable_health_check', message: 'false: no PCE health rule was added' },
  ]);
  assert.equal(result.warnings.length, 5);
  assert.match(result.warnings[0] ?? '', /no API key: set it with: illumio-monitor config set pce.apiKey/);
  assert.match(result.warnings[1] ?? '', /no API secret: write it to pce-secret/);
  assert.match(result.warnings[2] ?? '', /sender 'illumio-monitor@localhost', which is not a full address/);
  assert.match(result.warnings[3] ?? '', /^no rules were imported/);
});

test('a remote SMTP relay without enable_tls gets STARTTLS when offered, and says so', () => {
  const result = convertLegacyConfig(
    { api: { url: 'https://pce.example.com', org_id: 2, key: 'api_1', secret: 's3cret-value' }, email: { sender: 'a@example.com', recipients: 'b@example.com, c@example.com' }, smtp: { host: 'relay.example.com', enable_tls: false } },
    { secretFileName: 'pce-secret' },
  );

  assert.deepEqual(result.config.email, { from: 'a@example.com', to: ['b@example.com', 'c@example.com'], smtp: { host: 'relay.example.com', port: 25 } });
  assert.deepEqual(result.changes.find((c) => c.path === '/smtp/enable_tls'), {
    path: '/smtp/enable_tls',
    message: 'STARTTLS is now used whenever relay.example.com offers it (the legacy tool never used it); if its certificate is not trusted, set email.smtp.caFile',
  });
});

test('a file that is not a legacy config, or has broken rules, is refused with every problem and its path', () => {
  assert.throws(() => convertLegacyConfig({ pce: {} }, { secretFileName: 'pce-secret', source: 'old.json' }), (err) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.exitCode, 2);
    assert.deepEqual(err.problems, [{ path: '/api', message: 'is missing: this is not an illumio_monitor.py config (illumio_api_config.json has api, email and rules blocks)' }]);
    return true;
  });

  const broken = {
    api: { url: 'https://user:pw@pce.example.com', org_id: 'one', key: 'api_1', secret: 'x' },
    email: { sender: 'a@example.com', recipients: ['b@example.com'] },
    rules: [
      { id: 1, type: 'event', name: 'A', filter_key: 'event_type', filter_value: 'agent.tampering', threshold_type: 'weekly' },
      { id: 2, type: 'traffic', name: 'B', pd: 7, threshold_type: 'count', threshold_count: 0 },
      'not a rule',
      { id: 4, type: 'workload', name: 'C' },
    ],
  };
  assert.throws(() => convertLegacyConfig(broken, { secretFileName: 'pce-secret', source: 'old.json' }), (err) => {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, [
      { path: '/api/url', message: 'must not contain a user name or password; the API key and secret are separate settings' },
      { path: '/api/org_id', message: 'must be the organisation number (the N in /orgs/N), e.g. 1' },
      { path: '/rules/0/threshold_type', message: 'must be immediate or count' },
      { path: '/rules/1/threshold_count', message: 'must be a whole number of at least 1' },
      { path: '/rules/1/pd', message: 'must be 0 (allowed), 1 (potentially blocked), 2 (blocked) or 3 (any)' },
      { path: '/rules/2', message: 'must be an object (one rule)' },
      { path: '/rules/3/type', message: 'must be event or traffic' },
    ]);
    assert.equal(err.message.includes('user:pw'), false);
    assert.match(err.message, /^old\.json is not valid:/);
    return true;
  });
});
