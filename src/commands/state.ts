// Placeholder until the verb lands: it says so and exits 1.
import { MonitorError } from '../errors.js';
import { verb } from './common.js';

export const stateCommand = verb({
  command: 'state',
  describe: 'state (not yet available)',
  builder: (y) => y,
  handler: async () => {
    throw new MonitorError('NOT_IMPLEMENTED', 'state is not available yet');
  },
});
