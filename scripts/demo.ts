/**
 * `npm run demo`: the real `run` verb against the built-in PCE simulator
 * (HTTPS with its own CA) and a local SMTP capture. Shows what was found and
 * where the email went. Everything stays under ./demo-output.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePceData, startPceSimulator } from '../src/sim/pce-simulator.js';
import { startSmtpCapture } from '../src/sim/smtp-capture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'demo-output');
const bin = path.join(root, 'bin', 'illumio-monitor.js');

function cli(args: string[], config: string): Promise<number> {
  console.log(`\n$ illumio-monitor ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--config', config, ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(path.join(out, 'mail'), { recursive: true });

  const pce = await startPceSimulator({ tls: true });
  const data = generatePceData({ seed: 7, now: Date.now() });
  pce.addEvents(data.events);
  pce.addFlows(data.flows);
  const smtp = await startSmtpCapture({ saveDir: path.join(out, 'mail') });

  try {
    const config = await writeDemoConfig(pce, smtp.port);
    console.log(`PCE simulator: ${pce.url} (org ${pce.orgId}, ${data.events.length} events, ${data.flows.length} flows)`);
    console.log(`SMTP capture:  127.0.0.1:${smtp.port}`);
    console.log(`Config:        ${config}`);

    await cli(['rules', 'load-defaults'], config);
    const first = await cli(['run'], config);
    const second = await cli(['run'], config);

    console.log('\n--- demo summary ---');
    console.log(`first run exit ${first}, second run exit ${second} (nothing new, so no second email)`);
    for (const [i, message] of smtp.messages.entries()) {
      console.log(`email ${i + 1}: "${message.parsed.subject ?? ''}" to ${message.envelope.to.join(', ')}`);
    }
    const files = (await fs.readdir(path.join(out, 'mail'))).sort();
    for (const f of files) console.log(`saved: ${path.join(out, 'mail', f)}`);
    if (first !== 0 || smtp.messages.length !== 1) process.exitCode = 1;
  } finally {
    await smtp.close();
    await pce.close();
  }
}

async function writeDemoConfig(pce: Awaited<ReturnType<typeof startPceSimulator>>, smtpPort: number): Promise<string> {
  await fs.writeFile(path.join(out, 'pce-secret'), `${pce.apiSecret}\n`, { mode: 0o600 });
  await fs.writeFile(path.join(out, 'pce-ca.pem'), pce.caPem ?? '', { mode: 0o644 });
  const config = {
    pce: {
      url: pce.url,
      orgId: pce.orgId,
      apiKey: pce.apiKey,
      apiSecretFile: 'pce-secret',
      caFile: 'pce-ca.pem',
    },
    email: {
      from: 'illumio-monitor@demo.example',
      to: ['soc@demo.example'],
      timeZone: 'UTC',
      smtp: { host: '127.0.0.1', port: smtpPort, starttls: 'off' },
    },
    rules: [],
  };
  const file = path.join(out, 'illumio-monitor.json');
  await fs.writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
}

await main();
