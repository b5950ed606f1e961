// Staged copies of uploads (the app's dropped files, written under the data folder before
// they go to the node) do not pile up: the service removes those an earlier run left, at
// start and at each new upload, but never one a transfer of this run holds or a fresh one.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TransferService } from '../../../src/main/transfers/transfer-service';

const root = mkdtempSync(path.join(os.tmpdir(), 'hatch-staging-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;

function service(stagingDir: string): TransferService {
  const none = () => Promise.reject(new Error('no AWS in this test'));
  return new TransferService({ ssm: none, kms: none, emit: () => undefined, downloadsDir: path.join(root, 'downloads'), stagingDir });
}

/** A staged copy as an earlier run leaves it, last written `ageMs` ago. */
function staged(dir: string, ageMs: number, name: string = randomUUID()): string {
  const file = path.join(dir, name);
  writeFileSync(file, 'part of an upload');
  const when = new Date(Date.now() - ageMs);
  utimesSync(file, when, when);
  return name;
}

async function gone(file: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`gave up after 5 s waiting for ${file} to be removed; it is still there`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('staged uploads are cleaned', () => {
  it('at start: copies older than a day go; fresh ones and files that are not ours stay', async () => {
    const dir = path.join(root, 'start');
    mkdirSync(dir);
    const old = staged(dir, 2 * DAY);
    const fresh = staged(dir, 60_000);
    const notOurs = staged(dir, 30 * DAY, 'notes.txt');
    service(dir);
    await gone(path.join(dir, old));
    expect(readdirSync(dir).sort()).toEqual([fresh, notOurs].sort());
  });

  it('at a new upload, never the copy a transfer of this run holds, however old', async () => {
    const dir = path.join(root, 'upload');
    mkdirSync(dir);
    const transfers = service(dir);
    const first = await transfers.uploadBegin({ profile: 'p', region: 'r', target: 'i-0123456789abcdef0', remoteDir: '~', name: 'a.bin', size: 4 });
    await transfers.uploadChunk(first.id, 0, Buffer.from('abcd').toString('base64'));
    const deadline = Date.now() + 5000;
    while (readdirSync(dir).length === 0) {
      if (Date.now() > deadline) throw new Error('gave up after 5 s waiting for the staged copy to be created; the folder is empty');
      await new Promise((r) => setTimeout(r, 20));
    }
    const held = readdirSync(dir);
    expect(held).toHaveLength(1);
    // Its copy ages past the limit (a failed upload waiting for Retry); an earlier run's orphan too.
    const when = new Date(Date.now() - 3 * DAY);
    utimesSync(path.join(dir, held[0]), when, when);
    const orphan = staged(dir, 3 * DAY);
    await transfers.uploadBegin({ profile: 'p', region: 'r', target: 'i-0123456789abcdef0', remoteDir: '~', name: 'b.bin', size: 1 });
    await gone(path.join(dir, orphan));
    expect(readdirSync(dir)).toContain(held[0]);
    expect(await transfers.sweepStaged()).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(2);
    transfers.cancel(first.id);
    await gone(path.join(dir, held[0]));
  });
});
