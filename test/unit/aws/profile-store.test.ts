// The profile store's transactions with real files in a temporary HOME; failures and a
// concurrent writer are injected through the file operations of the atomic write.
import { existsSync, promises as fs, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AtomicFs } from '../../../src/main/files/atomic-write';
import { ProfileService } from '../../../src/main/aws/profiles';
import { HatchError } from '../../../src/shared/contract';
import { tempAws, type TempAws } from './helpers';

const CONFIG = '# mine\n[profile base]\nregion = us-east-1\ncredential_process = /bin/true\n';
const CREDENTIALS = '[base]\naws_access_key_id = AKIABASE000000000000\naws_secret_access_key = base-secret\n';
const keys = { name: 'keys', kind: 'static' as const, region: 'eu-west-1', accessKeyId: 'AKIAKEYS000000000000', secretAccessKey: 'keys-secret' };

let aws: TempAws;
afterEach(() => aws?.cleanup());

/** fs with a hook on renames and on opening temp files. */
function io(hooks: { rename?: (to: string) => void | Promise<void>; openTemp?: (tmp: string) => void | Promise<void> }): AtomicFs {
  return {
    mkdir: fs.mkdir,
    rm: fs.rm,
    rename: async (from, to) => {
      await hooks.rename?.(String(to));
      return fs.rename(from, to);
    },
    open: (async (target: string, flags?: string, mode?: number) => {
      if (target.endsWith('.tmp')) await hooks.openTemp?.(target);
      return fs.open(target, flags, mode);
    }) as AtomicFs['open'],
  };
}

const temps = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

describe('transactions over config + credentials', () => {
  it('a change to both files whose second write fails leaves both as they were', async () => {
    aws = tempAws({ config: CONFIG, credentials: CREDENTIALS });
    const failing = io({
      rename: (to) => {
        if (to === aws.credentials) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    });
    const service = new ProfileService({ env: aws.env, io: failing });
    const error = await service.add(keys).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HatchError);
    expect((error as HatchError).message).toMatch(/could not save the AWS files \(ENOSPC\)\. Neither .*config nor .*credentials was changed/);
    expect(readFileSync(aws.config, 'utf8')).toBe(CONFIG);
    expect(readFileSync(aws.credentials, 'utf8')).toBe(CREDENTIALS);
    expect(temps(path.dirname(aws.config))).toEqual([]);
    service.dispose();
  });

  it('a file that did not exist before is removed again when the other write fails', async () => {
    aws = tempAws({ credentials: CREDENTIALS });
    const service = new ProfileService({
      env: aws.env,
      io: io({
        rename: (to) => {
          if (to === aws.credentials) throw Object.assign(new Error('read-only'), { code: 'EROFS' });
        },
      }),
    });
    await expect(service.add(keys)).rejects.toThrow(/EROFS/);
    expect(existsSync(aws.config)).toBe(false);
    expect(readFileSync(aws.credentials, 'utf8')).toBe(CREDENTIALS);
    service.dispose();
  });

  it('a file changed by another program while saving is detected: nothing is overwritten, nothing half-done', async () => {
    aws = tempAws({ config: CONFIG, credentials: CREDENTIALS });
    const theirs = `${CONFIG}\n[profile theirs]\nregion = eu-north-1\n`;
    let raced = false;
    const service = new ProfileService({
      env: aws.env,
      io: io({
        // The moment Hatch starts writing the credentials file, someone saves the config.
        openTemp: (tmp) => {
          if (!raced && tmp.includes('.credentials.')) {
            raced = true;
            writeFileSync(aws.credentials, `${CREDENTIALS}# edited elsewhere\n`);
          }
        },
      }),
    });
    const error = await service.add(keys).catch((e: unknown) => e);
    expect((error as HatchError).message).toMatch(/credentials was changed by another program while Hatch was saving\. Neither/);
    // Their change stands; ours was undone in the config too.
    expect(readFileSync(aws.credentials, 'utf8')).toBe(`${CREDENTIALS}# edited elsewhere\n`);
    expect(readFileSync(aws.config, 'utf8')).toBe(CONFIG);
    // Trying again applies the change to the new content.
    writeFileSync(aws.config, theirs);
    await service.add(keys);
    expect(readFileSync(aws.config, 'utf8')).toMatch(/^# mine[\s\S]*\[profile theirs\][\s\S]*\[profile keys\]\nregion = eu-west-1\n$/);
    expect(readFileSync(aws.credentials, 'utf8')).toContain('# edited elsewhere\n\n[keys]\n');
    service.dispose();
  });

  it('new files are created owner-only; existing ones keep their mode, and so do their backups', async () => {
    aws = tempAws();
    const service = new ProfileService({ env: aws.env });
    await service.add(keys);
    expect(statSync(aws.config).mode & 0o777).toBe(0o600);
    expect(statSync(aws.credentials).mode & 0o777).toBe(0o600);
    await fs.chmod(aws.config, 0o644);
    await fs.writeFile(`${aws.credentials}.bak`, 'old', { mode: 0o644 });
    await fs.chmod(`${aws.credentials}.bak`, 0o644);
    await service.update({ ...keys, region: 'us-west-2', accessKeyId: 'AKIAKEYS000000000001', secretAccessKey: 'rotated' });
    expect(statSync(aws.config).mode & 0o777).toBe(0o644);
    expect(statSync(aws.credentials).mode & 0o777).toBe(0o600);
    // The backup of a credentials file is as private as the file, whatever it was before.
    expect(statSync(`${aws.credentials}.bak`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${aws.credentials}.bak`, 'utf8')).toContain('keys-secret');
    service.dispose();
  });

  it('edits are serialised: 30 adds at once all land', async () => {
    aws = tempAws({ config: CONFIG, credentials: CREDENTIALS });
    const service = new ProfileService({ env: aws.env });
    await Promise.all(Array.from({ length: 30 }, (_, i) => service.add({ ...keys, name: `k${i}`, accessKeyId: `AKIAKEYS0000000000${String(i).padStart(2, '0')}` })));
    const names = (await service.list()).map((p) => p.name);
    for (let i = 0; i < 30; i++) expect(names).toContain(`k${i}`);
    expect(readFileSync(aws.credentials, 'utf8').match(/^\[k\d+\]$/gm)).toHaveLength(30);
    service.dispose();
  });
});
