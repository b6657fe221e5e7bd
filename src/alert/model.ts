/**
 * What the alert email is rendered from and what rendering produces.
 */
import type { ResolvedConfig } from '../types.js';

/** Proof of what this run looked at, shown in the footer of every alert mail. */
export interface Coverage {
  /** ISO times of the span read from the PCE. */
  rangeStart: string;
  rangeEnd: string;
  eventsFetched: number;
  flowsAnalysed: number;
  /** Why the traffic was not analysed, when its query failed (never shown as "0 flows"). */
  trafficError?: string;
  /** The PCE's `matches_count`, when it cut the traffic result. */
  flowsMatchedTotal?: number;
  truncated: boolean;
  rulesEvaluated: number;
  suppressedByCooldown: number;
  /** Why the fetch was incomplete, when it was. */
  incomplete?: string;
}

export interface RenderContext {
  email: ResolvedConfig['email'];
  pceUrl: string;
  orgId: number;
  /** When the mail is rendered, ms since the epoch. */
  now: number;
  coverage: Coverage;
  /** The host the monitor runs on, named in the footer. */
  hostname?: string;
}

export interface Attachment {
  filename: string;
  content: string;
  contentType: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments: Attachment[];
}
