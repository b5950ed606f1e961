// Nothing that goes out to the renderer can carry a secret: every response and event
// schema is walked, and no field may be named like a key, token or StreamUrl. Responses
// are parsed with these schemas on the way out (HatchHost), so undeclared fields are
// stripped — together this keeps secrets in main.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { calls, events } from '../../src/shared/contract';

const FORBIDDEN = /secret|token|streamurl|password|accesskey|credential(?!state)|privatekey|datakey/i;
/** Names that match the pattern but carry no secret: where credentials come from, a file path. */
const ALLOWED = new Set(['credentialSource', 'webIdentityTokenFile']);

function fieldNames(schema: z.ZodType, seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = (schema as unknown as { def: Record<string, unknown> & { type: string } }).def;
  const walk = (s: unknown) => fieldNames(s as z.ZodType, seen);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.entries(shape).flatMap(([key, value]) => [key, ...walk(value)]);
    }
    case 'array':
      return walk(def.element);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return walk(def.innerType);
    case 'union':
      return (def.options as z.ZodType[]).flatMap(walk);
    case 'record':
      return walk(def.valueType);
    case 'pipe':
      return [...walk(def.in), ...walk(def.out)];
    default:
      return [];
  }
}

describe('the contract keeps secrets in main', () => {
  it('declares no secret-like field in any response or event', () => {
    const offenders: string[] = [];
    for (const [method, entry] of Object.entries(calls)) {
      for (const name of fieldNames(entry.response)) if (FORBIDDEN.test(name) && !ALLOWED.has(name)) offenders.push(`${method} → ${name}`);
    }
    for (const [event, schema] of Object.entries(events)) {
      for (const name of fieldNames(schema)) if (FORBIDDEN.test(name) && !ALLOWED.has(name)) offenders.push(`${event} → ${name}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the walker sees nested fields (so the check above is not vacuous)', () => {
    const names = fieldNames(calls['sessions.list'].response);
    expect(names).toEqual(expect.arrayContaining(['sessions', 'awsSessionId', 'engine', 'recordingPath']));
    expect(fieldNames(events['credentials.ssoDeviceCode'])).toContain('userCode');
  });
});
