/**
 * Matched flows are kept as CSV cells, not whole flows, to bound a run's
 * memory; the attachment must read exactly as if the flows had been kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsv } from '../src/alert/csv.js';
import { csvRow } from '../src/alert/records.js';
import type { Alert } from '../src/types.js';
import { flow } from './helpers/records.js';

function alertWith(records: unknown[]): Alert {
  return {
    ruleId: 'blocked-smb', ruleName: 'Blocked SMB', ruleType: 'traffic', severity: 'high', count: 3,
    threshold: 1, windowMinutes: 10, windowStart: '2026-01-01T00:00:00Z', windowEnd: '2026-01-01T00:10:00Z',
    firstSeen: undefined, lastSeen: undefined, topTalkers: [], samples: [], records, details: [],
  };
}

test('a CSV built from kept cells equals one built from the raw flows', () => {
  const at = Date.parse('2026-01-01T00:05:00Z');
  const flows = [
    flow({ src: '10.0.0.5', srcHost: '=cmd|calc', srcLabels: { env: 'prod', role: 'web, "x"' }, dst: '10.0.1.9', dstHost: 'db01', port: 445, connections: 30, lastSeen: at }),
    flow({ src: '10.0.0.6', dst: '10.0.1.9', port: 445, lastSeen: at }),
    { src: { ip: '10.0.0.7' }, dst: { ip: '10.0.1.9' }, service: {}, policy_decision: 'blocked' },
  ];
  const raw = buildCsv(alertWith(flows), 10);
  const kept = buildCsv(alertWith(flows.map((f) => csvRow('traffic', f))), 10);
  assert.ok(raw && kept);
  assert.equal(kept.attachment.content, raw.attachment.content);
  // Spot-check one independently: the formula is neutralised and the label cell quoted.
  assert.ok(raw.attachment.content.includes(`'=cmd|calc`));
  assert.ok(raw.attachment.content.includes('"env=prod, role=web, ""x"""'));
});
