// `hatch cp` through the real path: the AWS config's profile → the sandbox's SSM API →
// a native data-channel session with the agent's pacing ON → a real shell on the node.
// Byte-exact both ways (20 MiB random, nested trees, hostile names), a network cut and a
// killed process resumed, a node without gzip, and failures that leave nothing behind.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHatch } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';
import { ensureCliBuilt, hatchBin } from '../helpers/built-bundle';
import { tempAws, type TempAws } from '../unit/aws/helpers';

const NODE = 'i-0f11e5f11e5f11e51';
const NO_GZIP = 'i-0f11e5f11e5f11e52';
const TWIN_A = 'i-0f11e5f11e5f11e53';
const TWIN_B = 'i-0f11e5f11e5f11e54';
let sandbox: Sandbox;
let aws: TempAws;
let work: string;
let home: string;
let bareHome: string;

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hatch-cp-'));
  const fleetFile = path.join(work, 'fleet.json');
  writeFileSync(
    fleetFile,
    JSON.stringify({ nodes: [{ instanceId: NODE, name: 'files-1' }, { instanceId: NO_GZIP, name: 'bare-1', hideTools: ['gzip', 'zstd'] }, { instanceId: TWIN_A, name: 'twin' }, { instanceId: TWIN_B, name: 'twin' }] }),
  );
  // Pacing stays on (the default), as on AWS.
  sandbox = await startSandbox({ fleetFile });
  home = path.join(sandbox.dataDir, 'homes', NODE);
  bareHome = path.join(sandbox.dataDir, 'homes', NO_GZIP);
  mkdirSync(home, { recursive: true });
  mkdirSync(bareHome, { recursive: true });
  aws = tempAws({
    config: `[profile ops]\nregion = us-east-1\nendpoint_url = ${sandbox.endpoint}\n`,
    credentials: `[ops]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
  });
});

afterAll(async () => {
  await sandbox?.close();
  aws?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
  /** stderr as written, progress bar redraws included. */
  raw: string;
}

/** `hatch cp …` in this process, with a terminal-like stderr (summary lines) unless quiet. */
async function cp(args: string[], options: { tty?: boolean; signal?: (fire: () => void) => void } = {}): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty ?? true, columns: 100 });
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { ...aws.env, AWS_PROFILE: 'ops' },
    cwd: work,
    onSignal: (signal, handler) => {
      if (signal === 'SIGINT') options.signal?.(handler);
    },
  };
  const code = await runHatch(['cp', ...args], io);
  // The progress bar's redraws (\r … ESC[K) are left out: what stays is the summary or error.
  const redraw = `\r[^\r\n]*${String.fromCharCode(27)}\\[K`;
  return { code, out, err: err.replace(new RegExp(redraw, 'g'), ''), raw: err };
}

function parts(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.includes('hatch-part')) : [];
}

describe('hatch cp against the sandbox (agent pacing on)', () => {
  it('a 20 MiB random file up and down, byte-exact, mode kept', async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const src = path.join(work, 'random.bin');
    writeFileSync(src, data, { mode: 0o604 });
    const up = await cp([src, 'files-1:random.bin']);
    expect(up.err).toMatch(/^uploaded 20 MiB to files-1:.*random\.bin in .*SHA-256 checked\n$/);
    expect(up.code).toBe(0);
    expect(sha(readFileSync(path.join(home, 'random.bin')))).toBe(sha(data));
    expect(statSync(path.join(home, 'random.bin')).mode & 0o777).toBe(0o604);

    // On a terminal the bar is redrawn in place with percent, bytes, rate and ETA.
    const redraws = up.raw.split('\r').filter((line) => / ETA /.test(line));
    expect(redraws.length, up.raw.slice(0, 2000)).toBeGreaterThan(1);
    expect(redraws.some((line) => /^random\.bin \[#*-*\] +\d+% [\d.]+ [KM]iB\/20 MiB [\d.]+ [kM]B\/s ETA \d+:\d\d/.test(line)), redraws.join('\n')).toBe(true);

    const dst = path.join(work, 'random-back.bin');
    const down = await cp([`${NODE}:~/random.bin`, dst]);
    expect(down.code).toBe(0);
    expect(down.err).toMatch(/^downloaded 20 MiB to .*random-back\.bin/);
    expect(sha(readFileSync(dst))).toBe(sha(data));
    expect(parts(home)).toEqual([]);
    expect(parts(work)).toEqual([]);
  }, 240_000);

  it('directories with nested files and hostile names, both ways', async () => {
    const tree = path.join(work, 'tree');
    const names = ['plain.txt', "it's \"quoted\".txt", 'sub dir/$(touch pwned) `id`.txt', 'sub dir/deep/new\nline.txt', 'ünï/çødé ✓.log', 'a/b/c/d/e.bin'];
    const files = new Map(names.map((name, i) => [name, i === 5 ? randomBytes(300_000) : Buffer.from(`${name}\n`.repeat(500 + i))]));
    for (const [rel, data] of files) {
      mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
      writeFileSync(path.join(tree, rel), data);
    }
    const up = await cp(['-r', tree, 'files-1:']);
    expect(up.code).toBe(0);
    expect(up.err).toMatch(/\(6 files\) to files-1:.*\/tree in/);
    for (const [rel, data] of files) expect(sha(readFileSync(path.join(home, 'tree', rel)))).toBe(sha(data));
    expect(existsSync(path.join(home, 'pwned'))).toBe(false);
    expect(existsSync(path.join(home, 'tree', 'sub dir', 'pwned'))).toBe(false);

    const back = path.join(work, 'tree-back');
    mkdirSync(back);
    const down = await cp(['-r', 'files-1:tree', back]);
    expect(down.code).toBe(0);
    for (const [rel, data] of files) expect(sha(readFileSync(path.join(back, 'tree', rel)))).toBe(sha(data));

    // A single hostile name as a file path, both ways.
    const name = "x $(touch pwned2);'\n\"ü";
    writeFileSync(path.join(work, 'one.txt'), 'one\n');
    expect((await cp([path.join(work, 'one.txt'), `files-1:${name}`])).code).toBe(0);
    expect(readFileSync(path.join(home, name), 'utf8')).toBe('one\n');
    expect((await cp([`files-1:${name}`, path.join(work, 'one-back.txt')])).code).toBe(0);
    expect(readFileSync(path.join(work, 'one-back.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(path.join(home, 'pwned2'))).toBe(false);
  }, 240_000);

  it('a network cut mid-download: the session resumes and the file is byte-exact', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    writeFileSync(path.join(home, 'cut.bin'), data);
    const dst = path.join(work, 'cut.bin');
    const cutsBefore = sandbox.agent.stats().cuts;
    const running = cp([`files-1:cut.bin`, dst, '--no-compress']);
    // Cut every data-channel socket once the download is under way.
    const part = path.join(work, '.cut.bin.hatch-part');
    for (let i = 0; i < 400 && !(existsSync(part) && statSync(part).size > 256 * 1024); i++) await sleep(25);
    expect(existsSync(part) && statSync(part).size > 0, 'the download started').toBe(true);
    sandbox.agent.cutAll();
    const result = await running;
    expect(result.code, result.err).toBe(0);
    expect(sandbox.agent.stats().cuts).toBeGreaterThan(cutsBefore);
    expect(sha(readFileSync(dst))).toBe(sha(data));
  }, 120_000);

  it('a killed upload and a killed download resume from their part files', async () => {
    await ensureCliBuilt();
    const data = randomBytes(12 * 1024 * 1024);
    const src = path.join(work, 'killed.bin');
    writeFileSync(src, data);
    const env = { ...process.env, ...aws.env, AWS_PROFILE: 'ops' };
    const killWhen = async (args: string[], ready: () => boolean) => {
      const child = spawn(process.execPath, [hatchBin, 'cp', '--quiet', ...args], { env, cwd: work, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      for (let i = 0; i < 1200 && !ready(); i++) await sleep(25);
      const started = ready();
      child.kill('SIGKILL');
      await exited;
      return started;
    };
    // Upload: killed once the node holds a part of the file.
    const nodePart = path.join(home, '.killed.bin.hatch-part');
    expect(await killWhen([src, 'files-1:killed.bin'], () => existsSync(nodePart) && statSync(nodePart).size > 2 * 1024 * 1024)).toBe(true);
    const kept = statSync(nodePart).size;
    expect(kept).toBeLessThan(data.length);
    // (The killed client's session is still open, its shell idle; the new one resumes the part.)
    const up = await cp([src, 'files-1:killed.bin']);
    expect(up.code, up.err).toBe(0);
    expect(up.err).toMatch(/resumed after \d/);
    expect(sha(readFileSync(path.join(home, 'killed.bin')))).toBe(sha(data));

    // Download: killed once the local part has some of it. Downloads are paced by the agent
    // (~0.7 MB/s), so a 3 MiB file is enough to be killed mid-way and resumed.
    const downData = randomBytes(3 * 1024 * 1024);
    writeFileSync(path.join(home, 'killed-down.bin'), downData);
    const dst = path.join(work, 'killed-back.bin');
    const localPart = path.join(work, '.killed-back.bin.hatch-part');
    expect(await killWhen(['--no-compress', 'files-1:killed-down.bin', dst], () => existsSync(localPart) && statSync(localPart).size > 512 * 1024)).toBe(true);
    expect(existsSync(dst)).toBe(false);
    expect(statSync(localPart).size).toBeLessThan(downData.length);
    const down = await cp(['files-1:killed-down.bin', dst]);
    expect(down.code, down.err).toBe(0);
    expect(down.err).toMatch(/resumed after \d/);
    expect(sha(readFileSync(dst))).toBe(sha(downData));
  }, 240_000);

  it('a session that ends mid-upload keeps the part to resume, never its lock; --quiet says nothing', async () => {
    const data = randomBytes(8 * 1024 * 1024);
    const src = path.join(work, 'ended.bin');
    writeFileSync(src, data);
    const part = path.join(home, '.ended.bin.hatch-part');
    const running = cp(['--no-compress', src, 'files-1:ended.bin']);
    for (let i = 0; i < 1200 && !(existsSync(part) && statSync(part).size > 1024 * 1024); i++) await sleep(25);
    expect(existsSync(part) && statSync(part).size > 0, 'the upload started').toBe(true);
    expect(existsSync(`${part}.lock`), 'the node locks the part while it writes it').toBe(true);
    // The session is terminated under the upload (as an admin or the idle timeout would).
    const live = sandbox.sessions().filter((s) => s.target === NODE && !s.endDate);
    expect(live.length).toBeGreaterThan(0);
    for (const session of live) sandbox.agent.terminate(session.sessionId);
    const ended = await running;
    expect(ended.code).toBe(1);
    expect(ended.err).toMatch(/^hatch cp: the session ended: .*; run the same command again to resume\.\n$/);
    // The node's loop was hung up: the part stays for a resume, its lock went with the loop.
    for (let i = 0; i < 400 && existsSync(`${part}.lock`); i++) await sleep(25);
    expect(parts(home)).toEqual(['.ended.bin.hatch-part']);

    const quiet = await cp(['--quiet', src, 'files-1:ended.bin']);
    expect(quiet).toMatchObject({ code: 0, out: '', raw: '' });
    expect(sha(readFileSync(path.join(home, 'ended.bin')))).toBe(sha(data));
    expect(parts(home)).toEqual([]);
  }, 120_000);

  it('a node without gzip falls back to uncompressed data', async () => {
    const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `2026-12-05T10:00:${String(i % 60).padStart(2, '0')}Z INFO request ${i} done\n`).join(''));
    writeFileSync(path.join(bareHome, 'app.log'), text);
    const dst = path.join(work, 'bare.log');
    const down = await cp(['bare-1:app.log', dst]);
    expect(down.code, down.err).toBe(0);
    expect(sha(readFileSync(dst))).toBe(sha(text));
    const src = path.join(work, 'bare-up.log');
    writeFileSync(src, text);
    const up = await cp([src, 'bare-1:up.log']);
    expect(up.code, up.err).toBe(0);
    expect(sha(readFileSync(path.join(bareHome, 'up.log')))).toBe(sha(text));
  }, 120_000);

  it('failures are one line, a non-zero exit, and leave no partial file', async () => {
    writeFileSync(path.join(work, 'small.txt'), 'small\n');
    writeFileSync(path.join(home, 'there.txt'), 'there\n');
    const missingLocal = await cp([path.join(work, 'absent.txt'), 'files-1:x.txt']);
    expect(missingLocal).toMatchObject({ code: 1, err: `hatch cp: ${path.join(work, 'absent.txt')}: no such file or directory\n` });
    const missingRemote = await cp(['files-1:absent.txt', path.join(work, 'absent.txt')]);
    expect(missingRemote).toMatchObject({ code: 1, err: 'hatch cp: files-1:absent.txt: no such file or directory\n' });
    expect(parts(work)).toEqual([]);
    // /sys takes no new files, not even from root.
    const unwritableRemote = await cp([path.join(work, 'small.txt'), 'files-1:/sys/small.txt']);
    expect(unwritableRemote).toMatchObject({ code: 1, err: 'hatch cp: files-1:/sys/small.txt: permission denied\n' });
    const unwritableLocal = await cp(['files-1:there.txt', '/sys/there.txt']);
    expect(unwritableLocal.code).toBe(1);
    expect(unwritableLocal.err).toMatch(/^hatch cp: \/sys(\/there\.txt)?: permission denied\n$/);
    const noDir = await cp([path.join(work, 'small.txt'), 'files-1:no/such/dir/x.txt']);
    expect(noDir).toMatchObject({ code: 1, err: 'hatch cp: files-1:no/such/dir/x.txt: no such file or directory\n' });
    const unknownNode = await cp([path.join(work, 'small.txt'), 'nosuch:x.txt']);
    expect(unknownNode).toMatchObject({ code: 1, err: 'hatch cp: no managed node named "nosuch" in profile "ops" in us-east-1.\n' });
    const twins = await cp([path.join(work, 'small.txt'), 'twin:x.txt']);
    expect(twins).toMatchObject({ code: 1, err: `hatch cp: "twin" names 2 nodes in profile "ops" in us-east-1: ${TWIN_A} (Online), ${TWIN_B} (Online). Use the instance id.\n` });
    const usage = await cp(['a', 'b']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^hatch cp: neither side is NODE:PATH/);
    expect(parts(home)).toEqual([]);
    expect(parts(work)).toEqual([]);
    expect(readdirSync(home)).not.toContain('small.txt');
  }, 120_000);
});
