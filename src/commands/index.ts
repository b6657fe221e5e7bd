/** Every verb, in the order --help lists them. */
import type { CommandModule } from 'yargs';
import type { GlobalOptions } from './common.js';
import { runCommand } from './run.js';
import { rulesCommand } from './rules.js';
import { testEmailCommand } from './test-email.js';
import { setupPostfixCommand } from './setup-postfix.js';
import { stateCommand } from './state.js';
import { configCommand } from './config.js';
import { doctorCommand } from './doctor.js';
import { completionCommand } from './completion.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each verb has its own argument type
export const commands: CommandModule<GlobalOptions, any>[] = [
  runCommand,
  rulesCommand,
  testEmailCommand,
  setupPostfixCommand,
  stateCommand,
  configCommand,
  doctorCommand,
  completionCommand,
];
