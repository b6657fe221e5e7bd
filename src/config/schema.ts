/**
 * The shipped JSON Schema and its compiled validator. The schema is read from
 * the package's `schema/` folder at first use, so it works from build/ in the
 * repository and from an installed package alike (`files` ships schema/).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type AnySchemaObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const SCHEMA_NAME = path.join('schema', 'config.schema.json');

let cached: { schema: AnySchemaObject; validate: ValidateFunction } | undefined;

/** Absolute path of schema/config.schema.json in this package. */
export function schemaPath(): string {
  // src/config/ in the repository, build/src/config/ once compiled.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, SCHEMA_NAME);
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`internal: ${SCHEMA_NAME} not found above ${fileURLToPath(import.meta.url)}`);
}

export function configSchema(): AnySchemaObject {
  return compiled().schema;
}

export function configValidator(): ValidateFunction {
  return compiled().validate;
}

function compiled(): { schema: AnySchemaObject; validate: ValidateFunction } {
  if (cached) return cached;

  const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as AnySchemaObject;
  // verbose: errors carry their parent schema, which did-you-mean needs.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, discriminator: true, verbose: true });
  addFormats.default(ajv, ['email', 'uri']);
  ajv.addFormat('mailbox', { type: 'string', validate: isMailbox });

  cached = { schema, validate: ajv.compile(schema) };
  return cached;
}

const ADDRESS = /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+\.[^\s@<>"(),;:]+$/;

/** `a@b.c` or `Display Name <a@b.c>`, never a CR or LF (header injection). */
export function isMailbox(value: string): boolean {
  if (/[\r\n]/.test(value)) return false;

  const named = /^([^<>]*)<([^<>]+)>$/.exec(value.trim());
  return named ? ADDRESS.test(named[2] ?? '') : ADDRESS.test(value);
}
