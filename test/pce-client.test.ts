import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PceError } from '../src/errors.js';
import { apiPath } from '../src/pce/client.js';
import { parseRetryAfter } from '../src/pce/retry.js';
import { pceRejection, pceTestBed, secretForms, T0, type PceTestBed } from './helpers/pce-setup.js';


function assertNoSecret(bed: PceTestBed, err: PceError): void {
  const text = [err.message, err.hint ?? '', String((err.cause as Error | undefined)?.message ?? ''), ...bed.log.lines].join('\n');
  for (const secret of secretForms(bed.sim)) assert.ok(!text.includes(secret), 'a secret leaked into an error or log line');
  assert.ok(!/authorization/i.test(err.message));
  assert.ok(!err.message.includes('\n'), 'messages are one line');
}

describe('PCE client over plain HTTP', () => {
  let bed: PceTestBed;
  before(async () => (bed = await pceTestBed()));
  after(() => bed.close());

  it('reads health and product version with Basic auth', async () => {
    const client = bed.client();
    const health = await client.health();
    assert.equal(health.length, 1);
    assert.equal(health[0]?.status, 'normal');
    assert.equal((await client.productVersion()).short_display, '23.5.10');
  });

  it('names the key and the fix on a 401, and leaks no secret', async () => {
    const err = await pceRejection(bed.client({ apiSecret: 'wrong-secret-value' }).health());
    assert.equal(err.code, 'PCE_AUTH');
    assert.equal(err.status, 401);
    assert.match(err.message, new RegExp(`^PCE rejected the API key ${bed.sim.apiKey} \\(HTTP 401 on GET /api/v2/health\\)`));
    assert.match(err.message, /Authentication failed/);
    assert.match(err.hint ?? '', /check pce\.apiKey and the secret/);
    assert.ok(!err.message.includes('wrong-secret-value'));
    assertNoSecret(bed, err);
  });

  it('says wrong org or missing read access on a 403', async () => {
    const err = await pceRejection(bed.client({ orgId: 7 }).getJson('/orgs/7/events'));
    assert.equal(err.code, 'PCE_FORBIDDEN');
    assert.match(err.message, /PCE refused access to org 7 \(HTTP 403 on GET \/api\/v2\/orgs\/7\/events\)/);
    assert.match(err.hint ?? '', /wrong org id or the key lacks read access/);
  });

  it('points at pce.url on a 404', async () => {
    const err = await pceRejection(bed.client().getJson('/no/such/thing'));
    assert.equal(err.code, 'PCE_NOT_FOUND');
    assert.equal(err.status, 404);
    assert.match(err.hint ?? '', /pce\.url/);
  });

  it('waits what Retry-After says in seconds on a 429, then succeeds', async () => {
    bed.clock.waits.length = 0;
    bed.sim.addFault({ path: '/api/v2/health', status: 429, retryAfter: '7' });
    bed.sim.addFault({ path: '/api/v2/health', status: 429, retryAfter: '3' });
    const health = await bed.client().health();
    assert.equal(health[0]?.status, 'normal');
    assert.deepEqual(bed.clock.waits, [7000, 3000]);
  });

  it('waits until the HTTP date of Retry-After, measured on the PCE clock', async () => {
    bed.clock.waits.length = 0;
    const at = new Date(bed.clock.now() + 12_000).toUTCString();
    bed.sim.addFault({ path: '/api/v2/health', status: 429, retryAfter: at });
    await bed.client().health();
    assert.deepEqual(bed.clock.waits, [12_000]);
  });

  it('retries 503 with exponential back-off, then succeeds', async () => {
    bed.clock.waits.length = 0;
    bed.sim.addFault({ path: '/api/v2/health', status: 503, times: 2, body: '<html><body>503 Service Unavailable</body></html>' });
    const before = bed.sim.requestsTo('/api/v2/health').length;
    await bed.client().health();
    assert.deepEqual(bed.clock.waits, [1000, 2000]);
    assert.equal(bed.sim.requestsTo('/api/v2/health').length - before, 3);
  });

  it('retries a dropped connection', async () => {
    bed.clock.waits.length = 0;
    bed.sim.addFault({ path: '/api/v2/health', dropConnection: true });
    assert.equal((await bed.client().health()).length, 1);
    assert.deepEqual(bed.clock.waits, [1000]);
  });

  it('gives up with PCE_RETRY_EXHAUSTED once the wait budget is spent', async () => {
    bed.clock.waits.length = 0;
    bed.sim.addFault({ path: '/api/v2/health', status: 503, retryAfter: '4', times: 10 });
    const err = await pceRejection(bed.client({}, { retryMaxAttempts: 10, retryBudgetMs: 10_000 }).health());
    bed.sim.faults.clear();
    assert.equal(err.code, 'PCE_RETRY_EXHAUSTED');
    assert.equal(err.status, 503);
    // 4 + 4; the next 4 s would pass the 2 s left, so it gives up at once rather than retry early.
    assert.deepEqual(bed.clock.waits, [4000, 4000]);
    assert.match(err.message, /gave up after 3 attempts and 8 s of waiting/);
    assertNoSecret(bed, err);
  });

  it('gives up after retryMaxAttempts retries', async () => {
    bed.clock.waits.length = 0;
    bed.sim.addFault({ path: '/api/v2/health', status: 502, times: 10 });
    const err = await pceRejection(bed.client({}, { retryMaxAttempts: 2 }).health());
    bed.sim.faults.clear();
    assert.equal(err.code, 'PCE_RETRY_EXHAUSTED');
    assert.deepEqual(bed.clock.waits, [1000, 2000]);
  });

  it('never re-sends a POST after a 503 (it may have acted), but does after a 429', async () => {
    const client = bed.client();
    const path = '/orgs/1/traffic_flows/async_queries';
    bed.sim.addFault({ method: 'POST', path, status: 503 });
    const before = bed.sim.requestsTo(path, 'POST').length;
    const err = await pceRejection(client.post(path, {}));
    assert.equal(err.status, 503);
    assert.equal(bed.sim.requestsTo(path, 'POST').length - before, 1);

    bed.sim.addFault({ method: 'POST', path, status: 429, retryAfter: '1' });
    const rejected = await pceRejection(client.post(path, { query_name: '' }));
    assert.equal(rejected.status, 406, 'the second attempt reached the PCE and was validated');
    assert.equal(bed.sim.requestsTo(path, 'POST').length - before, 3);
  });

  it('reads the message out of error bodies shaped as an object or as text', async () => {
    bed.sim.addFault({ path: '/api/v2/product_version', status: 400, body: '{"error":"bad things happened"}' });
    const objectErr = await pceRejection(bed.client().productVersion());
    assert.match(objectErr.message, /HTTP 400\): bad things happened$/);

    bed.sim.addFault({ path: '/api/v2/product_version', status: 400, body: 'plain words\nover two lines' });
    const textErr = await pceRejection(bed.client().productVersion());
    assert.match(textErr.message, /: plain words over two lines$/);
  });

  it('scrubs a secret the PCE echoes back in an error body', async () => {
    bed.sim.addFault({ path: '/api/v2/health', status: 400, body: `[{"token":"x","message":"bad secret ${bed.sim.apiSecret}"}]` });
    const err = await pceRejection(bed.client().health());
    assert.match(err.message, /bad secret \*\*\*/);
    assertNoSecret(bed, err);
  });

  it('says the PCE is unreachable when nothing listens', async () => {
    const err = await pceRejection(bed.client({ url: 'http://127.0.0.1:1' }).health());
    assert.equal(err.code, 'PCE_UNREACHABLE');
    assert.equal(err.status, undefined);
    assert.equal(err.message, 'PCE unreachable at http://127.0.0.1:1 (ECONNREFUSED)');
  });

  it('turns a request timeout into a retried, then failed, unreachable error', async () => {
    bed.clock.waits.length = 0;
    bed.sim.addFault({ path: '/api/v2/health', delayMs: 400, times: 2 });
    const err = await pceRejection(bed.client({ timeoutMs: 150 }, { retryMaxAttempts: 1 }).health());
    assert.equal(err.code, 'PCE_RETRY_EXHAUSTED');
    assert.match(err.message, /no answer to GET \/api\/v2\/health within 0.2 s/);
    assert.deepEqual(bed.clock.waits, [1000]);
  });

  it('maps hrefs and Location URLs onto /api/v2 paths', () => {
    assert.equal(apiPath('/orgs/1/jobs/abc'), '/api/v2/orgs/1/jobs/abc');
    assert.equal(apiPath('/api/v2/orgs/1/jobs/abc'), '/api/v2/orgs/1/jobs/abc');
    assert.equal(apiPath('https://other.example:8443/api/v2/orgs/1/jobs/abc'), '/api/v2/orgs/1/jobs/abc');
  });

  it('parses Retry-After in both forms', () => {
    assert.equal(parseRetryAfter('30', undefined, T0), 30_000);
    assert.equal(parseRetryAfter(new Date(T0 + 5000).toUTCString(), undefined, T0), 5000);
    // Against the PCE's Date header when there is one (local clock 1 h off).
    assert.equal(parseRetryAfter(new Date(T0 + 5000).toUTCString(), new Date(T0).toUTCString(), T0 + 3_600_000), 5000);
    assert.equal(parseRetryAfter('soon', undefined, T0), undefined);
  });
});

describe('PCE client over HTTPS', () => {
  let bed: PceTestBed;
  let dir: string;
  before(async () => {
    bed = await pceTestBed({ tls: true });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pce-tls-'));
    await fs.writeFile(path.join(dir, 'ca.pem'), bed.sim.caPem ?? '');
  });
  after(async () => {
    await bed.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('trusts the PCE with pce.caFile', async () => {
    const health = await bed.client({ caFile: path.join(dir, 'ca.pem') }).health();
    assert.equal(health[0]?.status, 'normal');
  });

  it('fails with the caFile hint without it', async () => {
    const err = await pceRejection(bed.client().health());
    assert.equal(err.code, 'PCE_TLS');
    assert.equal(err.status, undefined);
    assert.match(err.message, /^PCE certificate at https:\/\/127\.0\.0\.1:\d+ is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)$/);
    assert.equal(err.hint, "set pce.caFile to the PCE's CA certificate (PEM)");
    assertNoSecret(bed, err);
  });

  it('works with verifyTls false, warning once', async () => {
    const before = bed.log.lines.filter((l) => l.startsWith('warning:')).length;
    const client = bed.client({ verifyTls: false });
    await client.health();
    await client.productVersion();
    const warnings = bed.log.lines.filter((l) => l.startsWith('warning:')).slice(before);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /TLS verification of https:\/\/127\.0\.0\.1:\d+ is off/);
  });

  it('refuses a caFile that is missing or not PEM', async () => {
    assert.throws(() => bed.client({ caFile: path.join(dir, 'missing.pem') }), { code: 'PCE_CA_FILE' });
    await fs.writeFile(path.join(dir, 'junk.pem'), 'not a cert');
    assert.throws(() => bed.client({ caFile: path.join(dir, 'junk.pem') }), /holds no PEM certificate/);
  });
});

describe('PCE client against an expired certificate', () => {
  let bed: PceTestBed;
  before(async () => (bed = await pceTestBed({ tls: true, expiredCert: true })));
  after(() => bed.close());

  it('says the certificate is outside its dates', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pce-tls-'));
    await fs.writeFile(path.join(dir, 'ca.pem'), bed.sim.caPem ?? '');
    const err = await pceRejection(bed.client({ caFile: path.join(dir, 'ca.pem') }).health());
    await fs.rm(dir, { recursive: true, force: true });
    assert.equal(err.code, 'PCE_TLS');
    assert.match(err.message, /CERT_HAS_EXPIRED/);
  });
});
