// Placeholder until the verb lands: it says so and exits 1.
import { MonitorError } from '../errors.js';
import { verb } from './common.js';

export const configCommand = verb({
  command: 'config',
  describe: 'config (not yet available)',
  builder: (y) => y,
  handler: async () => {
    throw new MonitorError('NOT_IMPLEMENTED', 'config is not available yet');
  },
});
