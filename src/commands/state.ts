/**
 * `state show` and `state compact`: look into the state file, and shrink it
 * (under the run lock) without waiting for the next run.
 */
import { promises as fs } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../config/load.js';
import { acquireLock } from '../state/lock.js';
import { compactState, inspectState, loadState, saveState, stateFileSize } from '../state/store.js';
import { summarizeState, summaryText } from '../state/summary.js';
import { configPath, ok, verb, type GlobalOptions } from './common.js';

const showCommand = verb({
  command: 'show',
  describe: 'Show the checkpoint, per-rule window counts, cooldowns and mail waiting for delivery',
  builder: (y) => y.example('$0 state show', 'what the monitor remembers').example('$0 state show --json', 'the same, for scripts'),
  handler: async (args, ctx) => {
    const config = await loadConfig(configPath(args, ctx.env), ctx.env);
    const { state, source, problem } = await inspectState(config.stateFile);
    if (source === 'backup') ctx.log.warn(`state file ${config.stateFile} is not usable (${problem}); showing ${config.stateFile}.bak, which the next run restores`);

    const bytes = await stateFileSize(source === 'backup' ? `${config.stateFile}.bak` : config.stateFile);
    const summary = summarizeState(state, config.rules, ctx.clock.now(), { path: config.stateFile, bytes, source });
    return ok(summaryText(summary), summary);
  },
});

const compactCommand = verb({
  command: 'compact',
  describe: 'Drop history outside the rule windows, state of removed rules and old event ids; report the size',
  builder: (y) => y.example('$0 state compact', 'shrink the state file now (takes the run lock)'),
  handler: async (args, ctx) => {
    const config = await loadConfig(configPath(args, ctx.env), ctx.env);
    const file = config.stateFile;
    const lock = await acquireLock(`${file}.lock`, {
      staleMs: config.monitor.lockStaleMinutes * 60_000,
      now: ctx.clock.now(),
      log: ctx.log,
    });

    try {
      const before = await stateFileSize(file);
      const { state, restoredFromBackup } = await loadState(file, ctx.log, ctx.clock.now());
      if (before === 0 && !restoredFromBackup && !(await exists(file))) {
        return ok(`No state file at ${file} yet; nothing to compact.`, { file, bytesBefore: 0, bytesAfter: 0 });
      }

      const compacted = compactState(state, config.rules, ctx.clock.now(), config.monitor.overlapMinutes * 60_000);
      await saveState(file, compacted);
      const after = await stateFileSize(file);

      const text = `Compacted ${file}: ${before} -> ${after} bytes`;
      return ok(text, { file, bytesBefore: before, bytesAfter: after });
    } finally {
      await lock.release();
    }
  },
});

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

export const stateCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'state <command>',
  describe: 'Inspect and compact the state file',
  builder: (y: Argv<GlobalOptions>) =>
    y.command(showCommand).command(compactCommand).demandCommand(1, 'Name a state command: show or compact.') as Argv<GlobalOptions>,
  handler: () => undefined,
};
