/**
 * SMTP captures for a test file: each call starts one on loopback, and all
 * are closed when the file's tests are done.
 */
import { after } from 'node:test';
import { startSmtpCapture, type CaptureOptions, type SmtpCapture } from '../../src/sim/smtp-capture.js';

export function smtpServers(): (opts?: CaptureOptions) => Promise<SmtpCapture> {
  const open: SmtpCapture[] = [];
  after(async () => {
    await Promise.all(open.map((c) => c.close()));
  });
  return async (opts = {}) => {
    const c = await startSmtpCapture(opts);
    open.push(c);
    return c;
  };
}
