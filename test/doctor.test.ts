/**
 * doctor against the PCE simulator (HTTPS) and a real SMTP server on
 * loopback: a good config, a bad key, a wrong org, an untrusted
 * certificate, skewed clocks, a bad relay password and a relay that is down.
 * Expected lines are built here from what the test set up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkLine, type CheckResult } from '../src/doctor/check.js';
import { runDoctor } from '../src/doctor/doctor.js';
import { memoryLogger } from '../src/output.js';
import { startPceSimulator, type PceSimulator } from '../src/sim/pce-simulator.js';
import { startSmtpCapture, type SmtpCapture } from '../src/sim/smtp-capture.js';
import { runCli } from './helpers/cli.js';

const RELAY = { user: 'relay-user', pass: 'relay-pass-5f2c9a' };
/** A whole second: the Date header has no milliseconds. */
const NOW = Math.floor(Date.now() / 1000) * 1000;

interface Bed {
  dir: string;
  file: string;
  pce: PceSimulator;
  smtp: SmtpCapture;
  close(): Promise<void>;
}

interface BedOptions {
  skewMs?: number;
  orgId?: number;
  secret?: string;
  caFile?: boolean;
  smtpPort?: number;
  smtpPass?: string;
  smtpCaFile?: boolean;
  /** The PCE's clock is the real one (for CLI runs, whose clock is real too). */
  realClock?: boolean;
}

async function bed(o: BedOptions = {}): Promise<Bed> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-doctor-'));
  const pce = await startPceSimulator({ tls: true, now: o.realClock ? Date.now : () => NOW + (o.skewMs ?? 0) });
  const smtp = await startSmtpCapture({ starttls: true, auth: RELAY });
  await fs.writeFile(path.join(dir, 'pce-secret'), o.secret ?? pce.apiSecret, { mode: 0o600 });
  await fs.writeFile(path.join(dir, 'smtp-password'), o.smtpPass ?? RELAY.pass, { mode: 0o600 });
  await fs.writeFile(path.join(dir, 'pce-ca.pem'), pce.caPem!);
  await fs.writeFile(path.join(dir, 'smtp-ca.pem'), smtp.certPem!);

  const config = {
    pce: {
      url: pce.url, orgId: o.orgId ?? pce.orgId, apiKey: pce.apiKey, apiSecretFile: 'pce-secret',
      ...(o.caFile === false ? {} : { caFile: 'pce-ca.pem' }),
    },
    email: {
      from: 'monitor@example.com',
      to: ['soc@example.com'],
      smtp: { host: '127.0.0.1', port: o.smtpPort ?? smtp.port, user: RELAY.user, passwordFile: 'smtp-password', ...(o.smtpCaFile === false ? {} : { caFile: 'smtp-ca.pem' }) },
    },
    rules: [],
  };
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return {
    dir, file, pce, smtp,
    close: async () => {
      await pce.close();
      await smtp.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

function ctx() {
  return { clock: { now: () => NOW, sleep: async () => undefined }, env: {}, log: memoryLogger(), stderrIsTty: false };
}

function byId(checks: CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(checks.map((c) => [c.id, c]));
}

function statuses(checks: CheckResult[]): string {
  return checks.map((c) => `${c.id}=${c.status}`).join(' ');
}

/** The fifteen lines of a healthy set-up, computed from what bed() made. */
function goodLines(b: Bed): string[] {
  const pcePort = new URL(b.pce.url).port;
  const until = new Date(new X509Certificate(b.pce.caPem!).validTo).toISOString();
  return [
    `OK   config         ${b.file} is valid (0 rules, 0 enabled)`,
    `OK   pce-secret     ${path.join(b.dir, 'pce-secret')} exists, is private and not empty`,
    `OK   smtp-secret    ${path.join(b.dir, 'smtp-password')} exists, is private and not empty`,
    'OK   pce-dns        127.0.0.1 is an IP address (no lookup needed)',
    `OK   pce-tcp        127.0.0.1:${pcePort} accepts connections`,
    `OK   pce-tls        certificate for CN=localhost issued by CN=localhost verifies against pce.caFile ${path.join(b.dir, 'pce-ca.pem')}; valid until ${until}`,
    `OK   pce-auth       API key ${b.pce.apiKey} accepted (GET /api/v2/users/login)`,
    'OK   pce-org        org 1: events readable',
    'OK   pce-traffic    org 1: traffic queries readable',
    "OK   clock-skew     PCE clock agrees with this host's within 1 s",
    `OK   smtp-connect   127.0.0.1:${b.smtp.port} accepts connections`,
    `OK   smtp-greeting  220 ${os.hostname()} ESMTP`,
    'OK   smtp-ehlo      EHLO accepted; STARTTLS offered; AUTH LOGIN PLAIN',
    'OK   smtp-starttls  upgraded to TLS; the certificate verified',
    `OK   smtp-auth      user ${RELAY.user} accepted`,
  ];
}

test('a good config: every check OK, in the documented order', async () => {
  const b = await bed();
  try {
    const report = await runDoctor(b.file, ctx());
    assert.deepEqual(report.checks.map(checkLine), goodLines(b));
    assert.equal(report.ok, true);
  } finally {
    await b.close();
  }
});

test('a bad key: pce-auth FAILs with the hint, org and traffic are skipped, the secret is never shown', async () => {
  const b = await bed({ secret: 'f'.repeat(64) });
  try {
    const report = await runDoctor(b.file, ctx());
    const c = byId(report.checks);
    assert.equal(report.ok, false);
    assert.deepEqual(c['pce-auth'], {
      id: 'pce-auth',
      status: 'fail',
      detail: `PCE rejected the API key ${b.pce.apiKey} (HTTP 401 on GET /api/v2/users/login): Authentication failed: invalid API key or secret`,
      hint: 'check pce.apiKey and the secret (pce.apiSecretFile, pce.apiSecret or ILLUMIO_API_SECRET)',
    });
    assert.deepEqual([c['pce-org']!.status, c['pce-org']!.detail], ['skip', 'skipped: pce-auth failed']);
    assert.deepEqual([c['pce-traffic']!.status, c['pce-traffic']!.detail], ['skip', 'skipped: pce-auth failed']);
    assert.equal(c['clock-skew']!.status, 'ok', 'the clock is read without authentication');
    assert.ok(!JSON.stringify(report).includes('f'.repeat(64)));
  } finally {
    await b.close();
  }
});

test('a wrong org: pce-org FAILs and names the org the key belongs to', async () => {
  const b = await bed({ orgId: 7 });
  try {
    const c = byId((await runDoctor(b.file, ctx())).checks);
    assert.equal(c['pce-auth']!.status, 'ok');
    assert.deepEqual(c['pce-org'], {
      id: 'pce-org',
      status: 'fail',
      detail: 'PCE refused access to org 7 (HTTP 403 on GET /api/v2/orgs/7/events): Access to org 7 is not allowed for this user',
      hint: 'wrong org id or the key lacks read access: check pce.orgId and the API key role; this key belongs to org 1',
    });
    assert.deepEqual([c['pce-traffic']!.status, c['pce-traffic']!.detail], ['skip', 'skipped: pce-org failed']);
  } finally {
    await b.close();
  }
});

test('an untrusted certificate without caFile: pce-tls FAILs saying pce.caFile is needed, naming the issuer', async () => {
  const b = await bed({ caFile: false });
  try {
    const report = await runDoctor(b.file, ctx());
    const c = byId(report.checks);
    const port = new URL(b.pce.url).port;
    assert.deepEqual(c['pce-tls'], {
      id: 'pce-tls',
      status: 'fail',
      detail: `certificate of 127.0.0.1:${port} issued by CN=localhost is not trusted by the system CAs (DEPTH_ZERO_SELF_SIGNED_CERT)`,
      hint: 'pce.caFile is needed: save the PEM certificate of the CA CN=localhost and run: illumio-monitor config set pce.caFile FILE',
    });
    for (const id of ['pce-auth', 'pce-org', 'pce-traffic', 'clock-skew']) {
      assert.deepEqual([c[id]!.status, c[id]!.detail], ['skip', 'skipped: pce-tls failed'], id);
    }
    assert.equal(b.pce.requests.length, 0, 'no request with credentials went to an untrusted server');
  } finally {
    await b.close();
  }
});

test('clock skew: 120 s ahead is a WARN (exit stays 0), 10 min behind is a FAIL', async () => {
  const hint = 'sync both clocks with NTP (chronyc tracking / timedatectl): event windows depend on them';
  const ahead = await bed({ skewMs: 120_000 });
  try {
    const report = await runDoctor(ahead.file, ctx());
    assert.deepEqual(byId(report.checks)['clock-skew'], {
      id: 'clock-skew', status: 'warn', detail: "PCE clock is 120 s ahead of this host's (more than 60 s)", hint,
    });
    assert.equal(report.ok, true, 'a warning alone is not a failure');
  } finally {
    await ahead.close();
  }

  const behind = await bed({ skewMs: -600_000 });
  try {
    const report = await runDoctor(behind.file, ctx());
    assert.deepEqual(byId(report.checks)['clock-skew'], {
      id: 'clock-skew', status: 'fail', detail: "PCE clock is 600 s behind this host's (more than 300 s)", hint,
    });
    assert.equal(report.ok, false);
  } finally {
    await behind.close();
  }
});

test('SMTP down: smtp-connect FAILs, the later SMTP steps are skipped', async () => {
  const port = await closedPort();
  const b = await bed({ smtpPort: port });
  try {
    const report = await runDoctor(b.file, ctx());
    const smtpLines = report.checks.filter((c) => c.id.startsWith('smtp-') && c.id !== 'smtp-secret').map(checkLine);
    assert.deepEqual(smtpLines, [
      `FAIL smtp-connect   cannot connect to 127.0.0.1:${port} (ECONNREFUSED); fix: check email.smtp.host and port, and that the relay (e.g. Postfix) is running`,
      'SKIP smtp-greeting  skipped: smtp-connect failed',
      'SKIP smtp-ehlo      skipped: smtp-connect failed',
      'SKIP smtp-starttls  skipped: smtp-connect failed',
      'SKIP smtp-auth      skipped: smtp-connect failed',
    ]);
    assert.equal(report.ok, false);
    assert.equal(statuses(report.checks.filter((c) => c.id.startsWith('pce-'))), 'pce-secret=ok pce-dns=ok pce-tcp=ok pce-tls=ok pce-auth=ok pce-org=ok pce-traffic=ok');
  } finally {
    await b.close();
  }
});

test('a wrong relay password: smtp-auth FAILs without showing the password, and no mail is sent', async () => {
  const wrong = 'wrong-pass-81d3e0';
  const b = await bed({ smtpPass: wrong });
  try {
    const report = await runDoctor(b.file, ctx());
    const auth = byId(report.checks)['smtp-auth']!;
    assert.equal(auth.status, 'fail');
    assert.match(auth.detail, /^relay refused the login of user relay-user: .*535/);
    assert.equal(auth.hint, 'check email.smtp.user and the password (email.smtp.passwordFile or ILLUMIO_SMTP_PASSWORD)');
    assert.ok(!JSON.stringify(report).includes(wrong));
    assert.equal(b.smtp.messages.length, 0);
  } finally {
    await b.close();
  }
});

test('STARTTLS with an untrusted relay certificate FAILs with the caFile fix; a relay that hangs up FAILs the greeting', async () => {
  const b = await bed({ smtpCaFile: false });
  try {
    const c = byId((await runDoctor(b.file, ctx())).checks);
    assert.deepEqual([c['smtp-ehlo']!.status, c['smtp-starttls']!.status, c['smtp-auth']!.status], ['ok', 'fail', 'skip']);
    assert.match(c['smtp-starttls']!.detail, /^STARTTLS failed: .*self-signed certificate/);
    assert.equal(c['smtp-starttls']!.hint, 'set email.smtp.caFile to the CA that signed the relay certificate, or email.smtp.starttls to "off" for a loopback relay without TLS');

    b.smtp.setFailMode('drop-connection');
    const dropped = byId((await runDoctor(b.file, ctx())).checks);
    assert.deepEqual([dropped['smtp-connect']!.status, dropped['smtp-greeting']!.status], ['ok', 'fail']);
    assert.match(dropped['smtp-greeting']!.detail, new RegExp(`^no greeting from 127\\.0\\.0\\.1:${b.smtp.port}: `));
    assert.equal(b.smtp.messages.length, 0);
  } finally {
    await b.close();
  }
});

test('a secret file others can read: pce-secret FAILs with the chmod fix; network checks still run', async () => {
  const b = await bed();
  try {
    const secret = path.join(b.dir, 'pce-secret');
    await fs.chmod(secret, 0o644);
    const c = byId((await runDoctor(b.file, ctx())).checks);
    assert.deepEqual(c['pce-secret'], {
      id: 'pce-secret',
      status: 'fail',
      detail: `PCE API secret file ${secret} is accessible by group or others (mode 0644); refusing to use it`,
      hint: `Run: chmod 600 ${secret}`,
    });
    assert.equal(c['pce-tls']!.status, 'ok');
    assert.deepEqual([c['pce-auth']!.status, c['pce-auth']!.detail], ['skip', 'skipped: pce-secret failed']);
    // The relay does not depend on the PCE secret: its checks still run.
    assert.deepEqual(['smtp-connect', 'smtp-greeting', 'smtp-ehlo'].map((id) => c[id]!.status), ['ok', 'ok', 'ok']);
  } finally {
    await b.close();
  }
});

test('CLI: exit 0 and fifteen OK lines on a good config; exit 1 and JSON checks on a bad key', async () => {
  const good = await bed({ realClock: true });
  try {
    const r = await runCli(['doctor', '--config', good.file]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, -1), goodLines(good));
    assert.equal(lines.at(-1), 'doctor: all good (15 ok, 0 warn, 0 fail, 0 skipped)');
  } finally {
    await good.close();
  }

  const bad = await bed({ secret: 'e'.repeat(64), realClock: true });
  try {
    const r = await runCli(['doctor', '--json', '--config', bad.file]);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as { ok: boolean; exitCode: number; checks: CheckResult[] };
    assert.equal(json.ok, false);
    assert.equal(json.exitCode, 1);
    assert.equal(json.checks.length, 15);
    assert.deepEqual(json.checks.filter((c) => c.status === 'fail').map((c) => c.id), ['pce-auth']);
    assert.ok(!(r.stdout + r.stderr).includes('e'.repeat(64)));
  } finally {
    await bad.close();
  }
});

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
