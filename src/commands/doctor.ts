/**
 * `doctor`: check the config, the secrets, the way to the PCE (DNS, TCP,
 * TLS), the API key's access, the clocks and the mail relay; one line per
 * check with a fix. Exit 1 if any check failed, else 0 (warnings alone: 0).
 */
import { EXIT } from '../errors.js';
import { checkLine, summaryLine } from '../doctor/check.js';
import { runDoctor } from '../doctor/doctor.js';
import { configPath, verb } from './common.js';

export const doctorCommand = verb({
  command: 'doctor',
  describe: 'Check config, secrets, PCE reachability, TLS, API access, clock skew and the SMTP relay',
  builder: (y) =>
    y
      .example('$0 doctor', 'one line per check: OK, WARN, FAIL or SKIP, with a fix')
      .example('$0 doctor --json --config /etc/illumio-monitor/config.json', 'the checks as JSON, for scripts'),
  handler: async (args, ctx) => {
    const report = await runDoctor(configPath(args, ctx.env), ctx);
    const exitCode = report.ok ? EXIT.ok : EXIT.runtime;
    const text = [...report.checks.map(checkLine), summaryLine(report.checks)].join('\n');
    return { exitCode, text, json: { ok: report.ok, exitCode, checks: report.checks } };
  },
});
