// Placeholder until the verb lands: it says so and exits 1.
import { MonitorError } from '../errors.js';
import { verb } from './common.js';

export const setupPostfixCommand = verb({
  command: 'setup-postfix',
  describe: 'setup-postfix (not yet available)',
  builder: (y) => y,
  handler: async () => {
    throw new MonitorError('NOT_IMPLEMENTED', 'setup-postfix is not available yet');
  },
});
