/**
 * setup-postfix from start to end: detect, inspect, plan, then (unless
 * dry-run) install, inspect and plan again on the installed files, and
 * apply. Knows nothing of argv or stdout; the verb formats the result.
 */
import path from 'node:path';
import type { Clock } from '../context.js';
import type { Logger } from '../output.js';
import { backupStamp } from './backup.js';
import { executeSteps } from './execute.js';
import { inspectSystem } from './inspect.js';
import { relayKey, type SetupOptions } from './options.js';
import { detectOs, type OsInfo } from './os-release.js';
import { buildPlan, type Plan } from './plan.js';
import type { CommandRunner } from './runner.js';
import { describeStep } from './steps.js';

export interface SetupDeps {
  /** `/` in production; a fixture root in tests (os-release, sasl2 plugins, systemd marker). */
  root: string;
  runner: CommandRunner;
  clock: Clock;
  log: Logger;
}

export interface SetupResult {
  os: OsInfo;
  relayhost: string;
  dryRun: boolean;
  /** False when everything already matched: "no change". */
  changed: boolean;
  /** Steps planned (dry-run) or run, as printed. */
  steps: string[];
  backupDir: string | undefined;
  notes: string[];
}

export async function setupPostfix(options: SetupOptions, deps: SetupDeps): Promise<SetupResult> {
  const os = await detectOs(deps.root);
  const backupDir = path.join(options.configDir, 'illumio_backups', backupStamp(deps.clock.now()));
  const planFor = async (opts: SetupOptions) =>
    buildPlan({ os, options: opts, backupDir, current: await inspectSystem(deps.root, opts.configDir, deps.runner) });

  let plan = await planFor(options);
  const base = { os, relayhost: relayKey(options.relayHost, options.relayPort), notes: plan.notes };

  if (options.dryRun) {
    const steps = allSteps(plan).map(describeStep);
    return { ...base, dryRun: true, changed: steps.length > 0, steps, backupDir: undefined };
  }

  const exec = { root: deps.root, configDir: options.configDir, runner: deps.runner, log: deps.log, secrets: [options.password] };
  const done: string[] = [];
  if (plan.install.length > 0) {
    done.push(...(await executeSteps(plan.install, exec)).done);
    // Plan again on the files the packages installed; what is still missing now is fatal.
    plan = await planFor({ ...options, install: false });
  }

  const applied = await executeSteps(plan.configure, exec);
  done.push(...applied.done);
  return { ...base, notes: plan.notes, dryRun: false, changed: done.length > 0, steps: done, backupDir: applied.backupDir };
}

function allSteps(plan: Plan) {
  return [...plan.install, ...plan.configure];
}
