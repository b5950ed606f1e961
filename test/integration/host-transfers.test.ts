// The transfers service through the contract, as the renderer drives it: an upload whose
// bytes arrive in chunks, downloads into the downloads folder (a second one gets a free
// name), a failure that says what and where, retry, and a cancel that leaves no part.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../src/shared/contract-transfers';
import { UPLOAD_CHUNK_BYTES } from '../../src/shared/contract-transfers';
import { startHostHarness, waitFor, type HostHarness } from '../helpers/host-harness';

let h: HostHarness;
/** What "Show in folder" asked the system to show (the desktop app's shell.showItemInFolder). */
const revealed: string[] = [];
/** System notifications (the desktop app shows them when its window is not in front). */
const notified: string[] = [];
const latest = new Map<string, TransferInfo>();
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  h = await startHostHarness({ host: { revealFile: (file) => revealed.push(file) > 0, systemNotify: (title, body) => notified.push(`${title} — ${body}`) } });
  h.host.subscribe((name, payload) => {
    if (name === 'transfers.changed') {
      const { transfer } = payload as { transfer: TransferInfo };
      latest.set(transfer.id, transfer);
    }
  });
});

afterAll(async () => {
  await h?.dispose();
});

const ended = (id: string) => waitFor(() => {
  const t = latest.get(id);
  return t && (t.state === 'done' || t.state === 'failed' || t.state === 'cancelled') ? t : undefined;
}, 120_000, `transfer ${id} to end`);

describe('transfers through the contract (sandbox, agent pacing on)', () => {
  it('uploads bytes sent in chunks and downloads them back; a second download gets a free name', async () => {
    const node = h.byName('web-1');
    const where = { profile: 'Sandbox', region: node.region, target: node.id, nodeName: 'web-1' };
    const data = randomBytes(2 * UPLOAD_CHUNK_BYTES + 12345);
    // A staged copy an earlier run left (an app closed mid-upload), two days old: the next upload sweeps it.
    const staging = path.join(h.home, '.hatch', 'transfers');
    mkdirSync(staging, { recursive: true });
    const orphan = path.join(staging, '0e5c4a8e-5b1f-4c4e-9d0a-2f6f1b7c9a01');
    writeFileSync(orphan, 'left by an earlier run');
    utimesSync(orphan, new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));
    const begun = await h.call<TransferInfo>('transfers.uploadBegin', { ...where, remoteDir: '~', name: 'chunked.bin', size: data.length });
    expect(begun.state).toBe('receiving');
    for (let offset = 0; offset < data.length; offset += UPLOAD_CHUNK_BYTES) {
      await h.call('transfers.uploadChunk', { transferId: begun.id, offset, data: data.subarray(offset, offset + UPLOAD_CHUNK_BYTES).toString('base64') });
    }
    await expect(h.call('transfers.uploadChunk', { transferId: begun.id, offset: 5, data: 'AAAA' })).rejects.toThrow(/Expected the bytes from offset/);
    await h.call('transfers.uploadEnd', { transferId: begun.id });
    const up = await ended(begun.id);
    expect(up).toMatchObject({ state: 'done', bytes: data.length, total: data.length, error: null });
    const nodeHome = path.join(h.home, 'sandbox', 'homes', node.id);
    expect(sha(readFileSync(path.join(nodeHome, 'chunked.bin')))).toBe(sha(data));
    expect(readdirSync(staging)).toEqual([]); // this upload's copy removed, and the earlier run's

    const first = await ended((await h.call<TransferInfo>('transfers.download', { ...where, remotePath: '~/chunked.bin' })).id);
    expect(first.localPath).toBe(path.join(h.home, 'Downloads', 'chunked.bin'));
    expect(sha(readFileSync(first.localPath!))).toBe(sha(data));
    const second = await ended((await h.call<TransferInfo>('transfers.download', { ...where, remotePath: '~/chunked.bin' })).id);
    expect(second.localPath).toBe(path.join(h.home, 'Downloads', 'chunked (1).bin'));
    expect(h.host.transfers.downloadedFile(second.id)).toBe(second.localPath);
    // "Show in folder" shows the file that landed; an upload has nothing to show here.
    expect(await h.call('transfers.reveal', { transferId: second.id })).toEqual({ shown: true });
    expect(revealed).toEqual([second.localPath]);
    expect(await h.call('transfers.reveal', { transferId: begun.id })).toEqual({ shown: false });
    expect(notified).toEqual([
      'Uploaded chunked.bin — to web-1:~/chunked.bin',
      `Downloaded chunked.bin — to ${first.localPath}`,
      `Downloaded chunked (1).bin — to ${second.localPath}`,
    ]);
  });

  it('cancelling an upload mid-way leaves nothing on the node, neither the part nor its lock', async () => {
    const node = h.byName('web-2');
    const home = path.join(h.home, 'sandbox', 'homes', node.id);
    mkdirSync(home, { recursive: true });
    const data = randomBytes(24 * 1024 * 1024);
    const begun = await h.call<TransferInfo>('transfers.uploadBegin', { profile: 'Sandbox', region: node.region, target: node.id, remoteDir: '~', name: 'cancel me.bin', size: data.length });
    for (let offset = 0; offset < data.length; offset += UPLOAD_CHUNK_BYTES) {
      await h.call('transfers.uploadChunk', { transferId: begun.id, offset, data: data.subarray(offset, offset + UPLOAD_CHUNK_BYTES).toString('base64') });
    }
    await h.call('transfers.uploadEnd', { transferId: begun.id });
    const part = path.join(home, '.cancel me.bin.hatch-part');
    await waitFor(() => (existsSync(part) && existsSync(`${part}.lock`)) || undefined, 60_000, 'the node to be writing the part');
    await h.call('transfers.cancel', { transferId: begun.id });
    const cancelled = await ended(begun.id);
    expect(cancelled.state).toBe('cancelled');
    expect(readdirSync(home).filter((n) => n.includes('cancel me'))).toEqual([]);
  });

  it('a Windows node whose sessions run a POSIX shell is found out at once and served in sh', async () => {
    // The sandbox's Windows nodes run sh (there is no PowerShell here): the PowerShell boot
    // line used to wait out its 30 s timeout there. The shell check answers in one round trip.
    const node = h.byName('win-build-1');
    expect(node.platformType).toBe('Windows');
    const where = { profile: 'Sandbox', region: node.region, target: node.id, nodeName: 'win-build-1' };
    const data = randomBytes(100_003);
    const begun = await h.call<TransferInfo>('transfers.uploadBegin', { ...where, remoteDir: '~', name: 'to-windows.bin', size: data.length });
    await h.call('transfers.uploadChunk', { transferId: begun.id, offset: 0, data: data.toString('base64') });
    await h.call('transfers.uploadEnd', { transferId: begun.id });
    expect(await ended(begun.id)).toMatchObject({ state: 'done', error: null });
    expect(sha(readFileSync(path.join(h.home, 'sandbox', 'homes', node.id, 'to-windows.bin')))).toBe(sha(data));
    const down = await ended((await h.call<TransferInfo>('transfers.download', { ...where, remotePath: '~/to-windows.bin' })).id);
    expect(down.state).toBe('done');
    expect(sha(readFileSync(down.localPath!))).toBe(sha(data));
  });

  it('a missing file fails with what and where; retry runs it again', async () => {
    const node = h.byName('web-1');
    const started = await h.call<TransferInfo>('transfers.download', { profile: 'Sandbox', region: node.region, target: node.id, nodeName: 'web-1', remotePath: '~/no-such-file' });
    const failed = await ended(started.id);
    expect(failed).toMatchObject({ state: 'failed', error: 'web-1:~/no-such-file: no such file or directory' });
    writeFileSync(path.join(h.home, 'sandbox', 'homes', node.id, 'no-such-file'), 'now it exists\n');
    latest.delete(started.id);
    await h.call('transfers.retry', { transferId: started.id });
    const again = await ended(started.id);
    expect(again.state).toBe('done');
    expect(readFileSync(again.localPath!, 'utf8')).toBe('now it exists\n');
  });

  it('closing Hatch mid-download keeps the part, and the same transfer resumes from it', async () => {
    const node = h.byName('api-1');
    const home = path.join(h.home, 'sandbox', 'homes', node.id);
    mkdirSync(home, { recursive: true });
    const data = randomBytes(4 * 1024 * 1024);
    writeFileSync(path.join(home, 'kept.bin'), data);
    const started = await h.call<TransferInfo>('transfers.download', { profile: 'Sandbox', region: node.region, target: node.id, remotePath: '~/kept.bin' });
    await waitFor(() => (latest.get(started.id)?.bytes ?? 0) > 256 * 1024 || undefined, 60_000, 'the download to be under way');
    // What closing the app does to the transfers (the rest of the host stays up here).
    await h.host.transfers.dispose();
    expect((await ended(started.id)).state).toBe('cancelled');
    const part = path.join(h.home, 'Downloads', '.kept.bin.hatch-part');
    expect(existsSync(part) && statSync(part).size > 0, 'the part stays').toBe(true);
    latest.delete(started.id);
    await h.call('transfers.retry', { transferId: started.id });
    const resumed = await ended(started.id);
    expect(resumed.state).toBe('done');
    expect(resumed.resumed).toBeGreaterThan(0);
    expect(sha(readFileSync(path.join(h.home, 'Downloads', 'kept.bin')))).toBe(sha(data));
    expect(existsSync(part)).toBe(false);
  });

  it('cancelling a download leaves no part behind', async () => {
    const node = h.byName('web-2');
    const home = path.join(h.home, 'sandbox', 'homes', node.id);
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'big.bin'), randomBytes(6 * 1024 * 1024));
    const started = await h.call<TransferInfo>('transfers.download', { profile: 'Sandbox', region: node.region, target: node.id, remotePath: '~/big.bin' });
    await waitFor(() => (latest.get(started.id)?.bytes ?? 0) > 100_000 || undefined, 60_000, 'the download to be under way');
    await h.call('transfers.cancel', { transferId: started.id });
    const cancelled = await ended(started.id);
    expect(cancelled.state).toBe('cancelled');
    const downloads = path.join(h.home, 'Downloads');
    await waitFor(() => !readdirSync(downloads).some((n) => n.includes('big.bin')) || undefined, 10_000, 'the part to be removed');
    expect(existsSync(path.join(downloads, 'big.bin'))).toBe(false);
  });
});
