/**
 * `rules list|add|remove|enable|disable|load-defaults`: manage rules without
 * editing JSON. Every change is validated with the whole config and written
 * atomically; an unknown id changes nothing and suggests the nearest one.
 */
import type { Argv, CommandModule } from 'yargs';
import { editConfig, rulesOf } from '../config/edit.js';
import { readConfigFile } from '../config/read.js';
import { didYouMean } from '../config/suggest.js';
import { UsageError } from '../errors.js';
import { defaultRules } from '../rules/defaults.js';
import type { Rule } from '../types.js';
import { configPath, ok, verb, type GlobalOptions } from './common.js';
import { rulesAddCommand } from './rules-add.js';
import { rulesTable } from './rules-table.js';
import { rulesTestCommand } from './rules-test.js';

const listCommand = verb({
  command: 'list',
  describe: 'List the rules (--json: the rule objects)',
  builder: (y) =>
    y.example('$0 rules list', 'a table: id, type, severity, threshold/window, cooldown, enabled')
      .example('$0 rules list --json', 'an array of rules'),
  handler: async (args, ctx) => {
    const { rules } = await readConfigFile(configPath(args, ctx.env));
    const json = rules.map((r) => ({ ...r, enabled: r.enabled !== false }));
    const text = rules.length > 0 ? rulesTable(rules) : 'No rules. Add the best-practice set with: illumio-monitor rules load-defaults';
    return ok(text, json);
  },
});

const removeCommand = verb({
  command: 'remove <ids..>',
  describe: 'Remove rules by id; an unknown id changes nothing',
  builder: (y) =>
    y.positional('ids', { type: 'string', array: true, demandOption: true, describe: 'Rule ids' })
      .example('$0 rules remove blocked-smb', 'remove one rule')
      .example('$0 rules remove potentially-blocked-traffic blocked-traffic', 'remove several'),
  handler: async (args, ctx) => {
    const ids = args.ids.map(String);
    await editNamedRules(configPath(args, ctx.env), ids, (rules) => rules.filter((r) => !ids.includes(r.id)));
    return ok(`removed ${ids.join(', ')}`, { ok: true, removed: ids });
  },
});

/** Change the rules of the config, after checking that every named id exists. */
async function editNamedRules(file: string, ids: string[], change: (rules: Rule[]) => Rule[]): Promise<void> {
  await editConfig(file, (data) => {
    const rules = rulesOf(file, data);
    requireIds(rules, ids);
    data.rules = change(rules);
  });
}

const enableCommand = toggleCommand('enable', true);
const disableCommand = toggleCommand('disable', false);

function toggleCommand(name: 'enable' | 'disable', on: boolean) {
  return verb({
    command: `${name} <ids..>`,
    describe: `${on ? 'Switch rules back on' : 'Switch rules off without deleting them (history is kept)'}`,
    builder: (y) =>
      y.positional('ids', { type: 'string', array: true, demandOption: true, describe: 'Rule ids' })
        .example(`$0 rules ${name} potentially-blocked-traffic`, `${name} one rule`),
    handler: async (args, ctx) => {
      const ids = args.ids.map(String);
      await editNamedRules(configPath(args, ctx.env), ids, (rules) => {
        for (const rule of rules.filter((r) => ids.includes(r.id))) {
          // Enabled is the default, so switching on removes the key.
          if (on) delete rule.enabled;
          else rule.enabled = false;
        }
        return rules;
      });
      return ok(`${name}d ${ids.join(', ')}`, { ok: true, [`${name}d`]: ids });
    },
  });
}

const loadDefaultsCommand = verb({
  command: 'load-defaults',
  describe: 'Add the best-practice rules whose ids are not present yet, keeping your own rules',
  builder: (y) =>
    y.option('replace', { type: 'boolean', default: false, describe: 'Remove every rule first, then install the defaults' })
      .example('$0 rules load-defaults', 'add what is missing; running it again adds nothing')
      .example('$0 rules load-defaults --replace', 'start over with only the defaults'),
  handler: async (args, ctx) => {
    const file = configPath(args, ctx.env);
    const result = await editConfig(file, (data) => {
      const before = rulesOf(file, data);
      const defaults = defaultRules();
      const beforeIds = new Set(before.map((r) => r.id));
      const defaultIds = new Set(defaults.map((r) => r.id));

      // --replace: the defaults only, those already present reset to their default settings.
      const kept = args.replace ? before.filter((r) => defaultIds.has(r.id)) : before;
      const added = defaults.filter((r) => !beforeIds.has(r.id));
      data.rules = args.replace ? defaults : [...before, ...added];

      const removed = args.replace ? before.filter((r) => !defaultIds.has(r.id)) : [];
      return { added: added.map((r) => r.id), kept: kept.map((r) => r.id), removed: removed.map((r) => r.id) };
    });

    const list = (ids: string[]) => (ids.length > 0 ? `: ${ids.join(', ')}` : '');
    const lines = [
      result.added.length > 0 ? `added ${result.added.length}${list(result.added)}` : 'added nothing: every default rule is already present',
      `kept ${result.kept.length}${args.replace ? ' (reset to the default settings)' : ''}${list(result.kept)}`,
    ];
    if (args.replace) lines.push(`removed ${result.removed.length}${list(result.removed)}`);
    return ok(lines.join('\n'), { ok: true, ...result });
  },
});

/** Every id must exist; otherwise nothing changes and each unknown id gets a suggestion. */
function requireIds(rules: Rule[], ids: string[]): void {
  const known = rules.map((r) => r.id);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length === 0) return;

  const described = unknown.map((id) => {
    const near = didYouMean(id, known);
    return near ? `'${id}' (did you mean '${near}'?)` : `'${id}'`;
  });
  throw new UsageError(`no rule with id ${described.join(', ')}; nothing was changed`, 'See the ids with: illumio-monitor rules list');
}

export const rulesCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'rules <command>',
  describe: 'List, add, remove, enable, disable rules and load the best-practice set',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .command(listCommand)
      .command(rulesAddCommand)
      .command(removeCommand)
      .command(enableCommand)
      .command(disableCommand)
      .command(loadDefaultsCommand)
      .command(rulesTestCommand)
      .demandCommand(1, 'Name a rules command: list, add, remove, enable, disable, load-defaults or test.')
      .example('$0 rules load-defaults', 'install the best-practice rules')
      .example('$0 rules list', 'show them'),
  handler: () => undefined,
};
