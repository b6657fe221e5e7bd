/**
 * `config import-legacy FILE`: the verb around importLegacy. The lead mounts
 * it under `config`. Output lists every change; secrets are never printed
 * (the converted config only names the files that hold them).
 */
import type { Argv } from 'yargs';
import { configPath, verb, type GlobalOptions } from '../commands/common.js';
import { EXIT } from '../errors.js';
import { importLegacy } from './legacy-import.js';
import type { LegacyImport } from './legacy-report.js';

interface ImportArgs {
  file: string;
  out: string | undefined;
  force: boolean;
  dryRun: boolean;
}

export const importLegacyCommand = verb<ImportArgs>({
  command: 'import-legacy <file>',
  describe: "Convert the Python tool's illumio_api_config.json into a config, reporting every change",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: "The Python tool's illumio_api_config.json" })
      .option('out', {
        type: 'string',
        describe: 'Where to write the new config (default: --config, else $ILLUMIO_MONITOR_CONFIG, else ./illumio-monitor.json); secrets go to pce-secret and smtp-password beside it',
      })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing config and secret files (the old config is kept as .bak)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Show the converted config and the changes; write nothing' })
      .example('$0 config import-legacy /root/illumio_api_config.json', 'write ./illumio-monitor.json, pce-secret and smtp-password')
      .example('$0 config import-legacy old.json --out /etc/illumio-monitor/config.json --dry-run', 'preview only') as unknown as Argv<ImportArgs & GlobalOptions>, // yargs types name it 'dry-run'; handlers get dryRun too
  handler: async (args, ctx) => {
    const out = args.out ?? configPath(args, ctx.env);
    const result = await importLegacy(args.file, { out, force: args.force, dryRun: args.dryRun });

    const json: Record<string, unknown> = { ok: true, wrote: result.wrote, changes: result.changes, warnings: result.warnings };
    if (args.dryRun) json.config = result.config;
    return { exitCode: EXIT.ok, text: importText(args.file, out, result, args.dryRun), json };
  },
});

/** Human report: what was written, every change with its legacy path, then warnings. */
export function importText(file: string, out: string, result: LegacyImport & { wrote: string[] }, dryRun: boolean): string {
  const lines: string[] = [];
  if (dryRun) lines.push(`Dry run: nothing was written. ${file} converts to this config for ${out}:`, JSON.stringify(result.config, null, 2));
  else lines.push(`Imported ${file}.`, 'Wrote (mode 0600):', ...result.wrote.map((w) => `  ${w}`));

  lines.push(`Changes (${result.changes.length}), by path in the legacy file:`);
  lines.push(...result.changes.map((c) => `  ${c.path || '/'}: ${c.message}`));

  if (result.warnings.length > 0) {
    lines.push(`Warnings (${result.warnings.length}):`, ...result.warnings.map((w) => `  ${w}`));
  }
  if (!dryRun) lines.push(`Next: illumio-monitor config validate --config ${out}, then illumio-monitor test-email --config ${out}`);
  return lines.join('\n');
}
