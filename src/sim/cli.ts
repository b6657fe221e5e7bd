/**
 * Run the PCE simulator by hand:
 *   node build/src/sim/cli.js [--port N] [--tls] [--seed N] [--events N] [--flows N]
 * Prints the URL, API key, secret (it is a throwaway) and, with --tls, the
 * CA file to put in pce.caFile. Stops on Ctrl-C.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generatePceData, startPceSimulator } from './pce-simulator.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      tls: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      events: { type: 'string', default: '200' },
      flows: { type: 'string', default: '300' },
      org: { type: 'string', default: '1' },
    },
  });

  const sim = await startPceSimulator({ tls: values.tls, port: Number(values.port), orgId: Number(values.org) });
  const data = generatePceData({
    seed: Number(values.seed),
    now: Date.now(),
    events: Number(values.events),
    flows: Number(values.flows),
  });
  sim.addEvents(data.events);
  sim.addFlows(data.flows);

  console.log(`url:     ${sim.url}`);
  console.log(`org:     ${sim.orgId}`);
  console.log(`apiKey:  ${sim.apiKey}`);
  console.log(`secret:  ${sim.apiSecret}`);
  if (sim.caPem) {
    const caFile = path.join(os.tmpdir(), `pce-sim-ca-${process.pid}.pem`);
    await fs.writeFile(caFile, sim.caPem);
    console.log(`caFile:  ${caFile}`);
  }
  console.log(`data:    ${data.events.length} events, ${data.flows.length} flows (seed ${values.seed})`);
  console.log('Ctrl-C to stop.');

  process.once('SIGINT', () => void sim.close());
  process.once('SIGTERM', () => void sim.close());
}

main().catch((err: unknown) => {
  console.error(`pce simulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
