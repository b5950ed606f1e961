// `hatch` itself: help, version, unknown commands, and one-line failures.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runHatch } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';

function captureIo(): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {},
    cwd: process.cwd(),
    onSignal: () => {},
    out: () => out,
    err: () => err,
  };
}

describe('hatch', () => {
  it('prints its usage and version', async () => {
    const io = captureIo();
    expect(await runHatch(['--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: hatch <command>');
    const version = captureIo();
    expect(await runHatch(['--version'], version)).toBe(0);
    expect(version.out()).toMatch(/^\S+\n$/);
  });

  it('an unknown command is one line and exit 2', async () => {
    const io = captureIo();
    expect(await runHatch(['frobnicate'], io)).toBe(2);
    expect(io.err()).toBe('hatch: unknown command "frobnicate". Run "hatch --help" for the list.\n');
  });
});
