/**
 * Render the one alert mail of a run: subject, HTML and text parts with the
 * same facts, and a CSV attachment per alert with its matched records.
 */
import type { Alert } from '../types.js';
import { renderHtml } from './html.js';
import type { RenderContext, RenderedEmail } from './model.js';
import { renderSubject } from './subject.js';
import { renderText } from './text.js';
import { buildView } from './view.js';

export type { Attachment, Coverage, RenderContext, RenderedEmail } from './model.js';

export function renderAlertEmail(alerts: Alert[], ctx: RenderContext): RenderedEmail {
  const subject = renderSubject(alerts, ctx.email.subjectPrefix, ctx.email.language);
  const view = buildView(alerts, ctx);

  return {
    subject,
    html: renderHtml(view, subject, ctx.email.language),
    text: renderText(view),
    attachments: view.csv.map((c) => c.attachment),
  };
}
