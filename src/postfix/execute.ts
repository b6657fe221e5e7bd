/**
 * Run planned steps in order. The first failure restores every file from
 * this run's backup, brings Postfix back onto the old files if a
 * start/reload had already run, and reports which step failed and why.
 */
import { promises as fs } from 'node:fs';
import { MonitorError, errorMessage } from '../errors.js';
import type { Logger } from '../output.js';
import { scrub } from '../output.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { createBackup, restoreBackup, type Backup } from './backup.js';
import { saslPluginPresent } from './inspect.js';
import type { CommandRunner } from './runner.js';
import { describeStep, type Step } from './steps.js';

export interface ExecuteDeps {
  root: string;
  configDir: string;
  runner: CommandRunner;
  log: Logger;
  /** Never shown: removed from any command output we repeat. */
  secrets: string[];
}

export interface ExecuteResult {
  done: string[];
  backupDir: string | undefined;
}

const SERVICE_STEPS = new Set(['start', 'stop', 'reload', 'restart']);

export async function executeSteps(steps: Step[], deps: ExecuteDeps): Promise<ExecuteResult> {
  const done: string[] = [];
  let backup: Backup | undefined;
  let serviceTouched = false;

  for (const step of steps) {
    deps.log.debug(`setup-postfix: ${describeStep(step)}`);
    try {
      serviceTouched ||= SERVICE_STEPS.has(step.id);
      const made = await runStep(step, deps);
      backup ??= made;
      done.push(describeStep(step));
    } catch (err) {
      throw await rollBack(step, err, backup, serviceTouched, deps);
    }
  }

  return { done, backupDir: backup?.dir };
}

async function runStep(step: Step, deps: ExecuteDeps): Promise<Backup | undefined> {
  switch (step.kind) {
    case 'backup':
      return createBackup(step.dir, step.files);
    case 'write':
      await writeFileAtomic(step.file, step.content, { mode: step.mode });
      return undefined;
    case 'chmod':
      await fs.chmod(step.file, step.mode);
      return undefined;
    case 'verify-sasl':
      if (!(await saslPluginPresent(deps.root))) {
        throw new Error(`no SASL PLAIN or LOGIN client plugin was found after installing ${step.package}`);
      }
      return undefined;
    case 'command': {
      const result = await deps.runner.run(step.argv, { env: step.env, input: step.input });
      if (result.code !== 0) throw new Error(`${step.argv[0]} exited with ${result.code}: ${lastLines(result.stderr || result.stdout)}`);
      return undefined;
    }
  }
}

function lastLines(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.slice(-3).join(' | ') || 'no output';
}

async function rollBack(
  step: Step,
  err: unknown,
  backup: Backup | undefined,
  serviceTouched: boolean,
  deps: ExecuteDeps,
): Promise<MonitorError> {
  const reason = scrub(errorMessage(err), deps.secrets);
  const failed = `setup-postfix failed at step "${step.id}": ${reason}`;
  if (!backup) return new MonitorError('POSTFIX_SETUP_FAILED', `${failed}; no file had been changed`);

  try {
    const restored = await restoreBackup(backup);
    if (serviceTouched) await reapply(deps);
    return new MonitorError('POSTFIX_SETUP_FAILED', `${failed}; restored ${restored.length} files from ${backup.dir}`, {
      hint: 'Postfix is back on its previous configuration. Fix the cause above and run setup-postfix again.',
    });
  } catch (restoreErr) {
    return new MonitorError(
      'POSTFIX_RESTORE_FAILED',
      `${failed}; restoring the backup also failed: ${scrub(errorMessage(restoreErr), deps.secrets)}`,
      { hint: `Copy the files in ${backup.dir} back into ${deps.configDir} by hand, then run "postfix reload".` },
    );
  }
}

/** Best effort: make a running Postfix read the restored files, or start it again. */
async function reapply(deps: ExecuteDeps): Promise<void> {
  const dir = deps.configDir;
  const running = (await deps.runner.run(['postfix', '-c', dir, 'status'])).code === 0;
  const result = await deps.runner.run(['postfix', '-c', dir, running ? 'reload' : 'start']);
  if (result.code !== 0) deps.log.warn(`postfix ${running ? 'reload' : 'start'} after the restore failed: ${lastLines(result.stderr)}`);
}
