/**
 * The naive baseline the benchmark measures the monitor against: the same
 * Explorer query, but the whole download read into one string and one
 * JSON.parse, then the same aggregation. Prints the main rule's result as
 * JSON. Usage: node build/scripts/bench-naive.js <config.json>
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { memoryLogger } from '../src/output.js';
import { PceClient } from '../src/pce/client.js';
import { createQuery, type TrafficQuery } from '../src/pce/traffic-create.js';
import { TrafficAggregator } from '../src/rules/traffic-aggregator.js';
import type { TrafficFlow, TrafficRule } from '../src/types.js';

interface BenchConfig {
  pce: { url: string; orgId: number; apiKey: string; apiSecretFile: string };
  rules: TrafficRule[];
}

async function main(configFile: string): Promise<void> {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as BenchConfig;
  const apiSecret = readFileSync(path.resolve(path.dirname(configFile), config.pce.apiSecretFile), 'utf8').trim();
  const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const client = new PceClient(
    { url: config.pce.url, orgId: config.pce.orgId, apiKey: config.pce.apiKey, apiSecret, caFile: undefined, verifyTls: true, timeoutMs: 600_000 },
    { clock, log: memoryLogger(false), retryMaxAttempts: 0, retryBudgetMs: 0 },
  );
  const now = Date.now();

  let query: TrafficQuery = await createQuery(client, {
    start: now - 3600_000, end: now, policyDecisions: ['blocked'], maxResults: 200_000, deadlineMs: 60_000, queryName: `naive ${now}`,
  }, `naive ${now}`);
  while (query.status !== 'completed') {
    await clock.sleep(200);
    query = await client.getJson<TrafficQuery>(query.href);
  }

  const res = await client.get(query.result ?? `${query.href}/download`, { headers: { Accept: 'application/json' } });
  const flows = JSON.parse(res.body.toString('utf8')) as TrafficFlow[];

  const aggregator = new TrafficAggregator(config.rules, { now, csvMaxRows: 1000 });
  for (const flow of flows) aggregator.add(flow);
  const main = aggregator.results().get(config.rules[0]!.id)!;
  client.close();

  console.log(JSON.stringify({ flows: flows.length, count: main.count, topTalkers: main.topTalkers.map((t) => ({ label: t.label, count: t.count })) }));
}

main(process.argv[2] ?? '').catch((err: unknown) => {
  console.error(`bench-naive: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
