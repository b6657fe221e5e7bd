// Placeholder until the verb lands: it says so and exits 1.
import { MonitorError } from '../errors.js';
import { verb } from './common.js';

export const runCommand = verb({
  command: 'run',
  describe: 'run (not yet available)',
  builder: (y) => y,
  handler: async () => {
    throw new MonitorError('NOT_IMPLEMENTED', 'run is not available yet');
  },
});
