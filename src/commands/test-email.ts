/**
 * `test-email`: send a short message through the configured relay and exit 0
 * only when the server accepted it for every recipient. The ancestor always
 * said "sent"; this verb reports the server's own reply instead.
 */
import os from 'node:os';
import type { CommandResult } from '../context.js';
import { composeMessage, sendRaw, MailNotAcceptedError } from '../alert/send.js';
import { renderTestEmail } from '../alert/test-message.js';
import { loadConfig } from '../config/load.js';
import { EXIT, MailError, UsageError } from '../errors.js';
import { configPath, verb } from './common.js';

interface TestEmailArgs {
  to: string[] | undefined;
}

export const testEmailCommand = verb<TestEmailArgs>({
  command: 'test-email',
  describe: 'Send a test message; exit 0 only if the SMTP server accepted it for every recipient',
  builder: (y) =>
    y
      .option('to', {
        type: 'string',
        array: true,
        describe: 'Recipient (repeatable, or a comma list); default: email.to from the config',
      })
      .example('$0 test-email', 'Send to the configured recipients')
      .example('$0 test-email --to me@example.com --json', 'Send to one address, print the server reply as JSON'),
  handler: async (args, ctx) => {
    const to = (args.to ?? []).flatMap((t) => String(t).split(',')).map((t) => t.trim()).filter(Boolean);
    // An empty --to (say, an unset shell variable) must not fall back to the real recipients.
    if (args.to !== undefined && to.length === 0) throw new UsageError('--to is empty; give an address, or leave --to out to mail email.to');
    const config = await loadConfig(configPath(args, ctx.env), ctx.env);
    const email = to.length ? { ...config.email, to } : config.email;

    const rendered = renderTestEmail(email, { hostname: os.hostname(), now: ctx.clock.now() });
    const message = await composeMessage(rendered, email, { date: new Date(ctx.clock.now()) });

    try {
      const result = await sendRaw(email.smtp, message, ctx.log);
      const text = `Test message ${message.messageId} accepted for ${result.accepted.join(', ')}: ${result.response}`;
      return { exitCode: EXIT.ok, text, json: { ok: true, ...result, messageId: message.messageId } };
    } catch (err) {
      if (!(err instanceof MailError)) throw err;
      return failure(err, message.messageId, ctx.log);
    }
  },
});

/** A refused or undelivered message: the reason on stderr, exit 1, the details in --json. */
function failure(err: MailError, messageId: string, log: { error(m: string): void; hint(m: string): void }): CommandResult {
  log.error(err.message);
  if (err.hint) log.hint(err.hint);

  const detail = err instanceof MailNotAcceptedError ? err : undefined;
  return {
    exitCode: err.exitCode,
    text: '',
    json: {
      ok: false,
      accepted: detail?.accepted ?? [],
      rejected: detail?.rejected ?? [],
      response: detail?.response ?? '',
      messageId,
      error: { code: err.code, message: err.message, hint: err.hint },
    },
  };
}
