// Placeholder until the verb lands: it says so and exits 1.
import { MonitorError } from '../errors.js';
import { verb } from './common.js';

export const testEmailCommand = verb({
  command: 'test-email',
  describe: 'test-email (not yet available)',
  builder: (y) => y,
  handler: async () => {
    throw new MonitorError('NOT_IMPLEMENTED', 'test-email is not available yet');
  },
});
