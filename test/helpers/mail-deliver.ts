/**
 * Render, compose and send alerts to a real SMTP capture on loopback, and
 * hand back what the server received.
 */
import { renderAlertEmail, type RenderContext } from '../../src/alert/render.js';
import { composeMessage, sendRaw } from '../../src/alert/send.js';
import { memoryLogger } from '../../src/output.js';
import type { CapturedMessage, SmtpCapture } from '../../src/sim/smtp-capture.js';
import type { Alert } from '../../src/types.js';

export async function deliver(capture: SmtpCapture, alerts: Alert[], ctx: RenderContext): Promise<CapturedMessage> {
  const before = capture.messages.length;
  const rendered = renderAlertEmail(alerts, ctx);
  const message = await composeMessage(rendered, ctx.email, { date: new Date(ctx.now) });
  await sendRaw(ctx.email.smtp, message, memoryLogger());

  const all = await capture.waitFor(before + 1, 5000);
  const received = all[before];
  if (!received) throw new Error('no message received');
  return received;
}

/** The text of the first attachment named `filename`, BOM included. */
export function attachmentText(msg: CapturedMessage, filename: string): string {
  const att = msg.parsed.attachments.find((a) => a.filename === filename);
  if (!att) throw new Error(`no attachment ${filename}`);
  return att.content.toString('utf8');
}
