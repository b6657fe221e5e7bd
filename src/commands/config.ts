/**
 * `config init|set|unset|show|validate`: settings without an editor. Every
 * write validates the whole result first; secrets are never taken from the
 * command line and never printed.
 */
import type { Argv, CommandModule } from 'yargs';
import { editConfig } from '../config/edit.js';
import { setSetting, parseSettingValue, settingSchema, unsetSetting } from '../config/keys.js';
import { readConfigRaw } from '../config/read.js';
import { maskConfig } from '../config/secrets.js';
import { validateConfig } from '../config/validate.js';
import { UsageError } from '../errors.js';
import type { ConfigFile } from '../types.js';
import { importLegacyCommand } from '../config/legacy.js';
import { configInitCommand } from './config-init.js';
import { configValidateCommand } from './config-validate.js';
import { configPath, ok, verb, type GlobalOptions } from './common.js';

const setCommand = verb({
  command: 'set <key> <value..>',
  describe: 'Change one setting (dotted key); the result is validated before it is written',
  builder: (y) =>
    y
      .positional('key', { type: 'string', demandOption: true, describe: 'Dotted setting name, e.g. pce.url or email.smtp.port' })
      .positional('value', { type: 'string', array: true, demandOption: true, describe: 'New value; lists (email.to) take a comma list or several values' })
      .example('$0 config set pce.url https://pce.example.com:8443', 'point at the PCE')
      .example('$0 config set email.to soc@example.com noc@example.com', 'replace the recipients')
      .example('$0 config set pce.apiSecretFile /etc/illumio-monitor/pce-secret', 'read the API secret from a 0600 file'),
  handler: async (args, ctx) => {
    // yargs lets `config set` through with no positionals at all.
    if (!args.key || !args.value?.length) {
      throw new UsageError('config set needs a key and a value, e.g. config set email.timeZone Europe/Berlin');
    }
    const file = configPath(args, ctx.env);
    const value = parseSettingValue(args.key, args.value.map(String));
    await editConfig(file, (data) => setSetting(data, args.key, value));
    return ok(`${args.key} = ${JSON.stringify(value)} (in ${file})`, { ok: true, file, key: args.key, value });
  },
});

const unsetCommand = verb({
  command: 'unset <key>',
  describe: 'Remove one setting so its default applies again; the result is validated before it is written',
  builder: (y) =>
    y
      .positional('key', { type: 'string', demandOption: true, describe: 'Dotted setting name, e.g. email.smtp.user' })
      .example('$0 config unset pce.apiSecret', 'drop a secret kept in the config (use apiSecretFile instead)')
      .example('$0 config unset monitor.overlapMinutes', 'back to the default overlap'),
  handler: async (args, ctx) => {
    if (!args.key) throw new UsageError('config unset needs a key, e.g. config unset pce.caFile');
    const file = configPath(args, ctx.env);
    settingSchema(args.key);
    const removed = await editConfig(file, (data) => unsetSetting(data, args.key));
    const text = removed ? `${args.key} removed (in ${file})` : `${args.key} was not set; nothing changed`;
    return ok(text, { ok: true, file, key: args.key, removed });
  },
});

const showCommand = verb({
  command: 'show',
  describe: 'Print the config with secrets masked (--json: the masked object)',
  builder: (y) =>
    y
      .example('$0 config show', 'the config, secrets as ***')
      .example('$0 config show --json --config /etc/illumio-monitor/config.json', 'for scripts'),
  handler: async (args, ctx) => {
    const file = configPath(args, ctx.env);
    // Parse only: showing a config that does not validate helps to fix it.
    const masked = maskConfig((await readConfigRaw(file)) as ConfigFile);

    const problems = validateConfig(masked).length;
    if (problems > 0) ctx.log.warn(`${file} has ${problems} problem(s); list them with: illumio-monitor config validate`);

    return ok(`# ${file}\n${JSON.stringify(masked, null, 2)}`, masked);
  },
});

export const configCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'config <command>',
  describe: 'Create, change, show and check the config file',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .command(configInitCommand)
      .command(setCommand)
      .command(unsetCommand)
      .command(showCommand)
      .command(configValidateCommand)
      .command(importLegacyCommand)
      .demandCommand(1, 'Name a config command: init, set, unset, show, validate or import-legacy.')
      .example('$0 config init --pce-url https://pce.example.com:8443 --org-id 1 --api-key api_1a2b3c', 'start a config')
      .example('$0 config validate', 'check it'),
  handler: () => undefined,
};
