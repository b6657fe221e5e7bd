/** Documented defaults for every optional setting (README and schema agree). */
import type { MonitorSettings } from '../types.js';

export const DEFAULT_MONITOR: MonitorSettings = {
  overlapMinutes: 5,
  firstRunLookbackMinutes: 60,
  eventsPageSize: 1000,
  maxEventsPerRun: 50_000,
  trafficMaxResults: 100_000,
  trafficQueryDeadlineSeconds: 300,
  retryMaxAttempts: 4,
  retryBudgetSeconds: 60,
  lockStaleMinutes: 30,
};

export const DEFAULT_PCE = {
  verifyTls: true,
  timeoutSeconds: 30,
} as const;

export const DEFAULT_EMAIL = {
  subjectPrefix: '[Illumio Monitor]',
  language: 'en',
  timeZone: 'UTC',
  csvMaxRows: 1000,
} as const;

export const DEFAULT_SMTP = {
  port: 25,
  secure: false,
  starttls: 'auto',
  verifyTls: true,
  connectionTimeoutSeconds: 10,
  greetingTimeoutSeconds: 10,
  socketTimeoutSeconds: 30,
} as const;

export const DEFAULT_FILES = {
  stateFile: 'illumio-monitor.state.json',
  logDir: 'logs',
  logMaxBytes: 10 * 1024 * 1024,
  logMaxFiles: 5,
} as const;

/** The environment variables that override secrets in the file. */
export const SECRET_ENV = {
  pce: 'ILLUMIO_API_SECRET',
  smtp: 'ILLUMIO_SMTP_PASSWORD',
} as const;
