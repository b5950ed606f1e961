// A client and a server smux session wired back to back in memory, through a re-chunker
// that cuts the byte stream at arbitrary points (like data-channel payloads do).
import { createHash, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SmuxCmd, SmuxSession, encodeSmuxHeader, type SmuxSessionOptions, type SmuxStream } from '../../../src/protocol/smux';

/** Re-cuts a byte stream into pieces of 1..max bytes (deterministic pseudo-random). */
function rechunker(max: number, seed = 1): Transform {
  let x = seed;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      let off = 0;
      while (off < chunk.length) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (x % max);
        this.push(chunk.subarray(off, off + n));
        off += n;
      }
      cb();
    },
  });
}

function pair(opts: Partial<SmuxSessionOptions> = {}, maxCut = 1024) {
  const client = new SmuxSession({ role: 'client', ...opts });
  const server = new SmuxSession({ role: 'server', ...opts });
  const c2s = rechunker(maxCut, 7);
  const s2c = rechunker(maxCut, 11);
  client.pipe(c2s).pipe(server);
  server.pipe(s2c).pipe(client);
  return { client, server, c2s, s2c };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function readAll(s: SmuxStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('error', reject);
  });
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('smux client <-> server pair', () => {
  it('echoes many concurrent streams with large data both ways; FIN ends each', async () => {
    const { client, server } = pair();
    // Server: echo each stream, then FIN when the client's FIN arrives.
    server.on('stream', (s: SmuxStream) => s.pipe(s));

    const N = 40;
    const results = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const st = client.openStream();
        const payload = randomBytes(i % 5 === 0 ? 1_000_000 : 10_000 + i * 997);
        const done = readAll(st);
        // Many small writes and a few large ones, to exercise coalescing and splitting.
        for (let off = 0; off < payload.length; ) {
          const n = off % 3 === 0 ? 100_000 : 777;
          st.write(payload.subarray(off, off + n));
          off += n;
        }
        st.end();
        const echoed = await done;
        return { id: st.id, ok: sha(echoed) === sha(payload), len: echoed.length, want: payload.length };
      }),
    );
    for (const r of results) expect(r.len).toBe(r.want);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(N);
    expect(results.every((r) => r.id % 2 === 1 && r.id >= 3)).toBe(true);
    await ticks(3);
    // Both ends closed every stream: nothing left in either table.
    expect(client.streamCount).toBe(0);
    expect(server.streamCount).toBe(0);
  });

  it('the server side may open streams too (symmetric)', async () => {
    const { client, server } = pair();
    const got = new Promise<Buffer>((resolve) => client.once('stream', (s: SmuxStream) => resolve(readAll(s))));
    const st = server.openStream();
    expect(st.id).toBe(2);
    st.end(Buffer.from('from the agent side'));
    expect((await got).toString()).toBe('from the agent side');
  });

  it('FIN from the peer ends the readable side; data after it is ignored', async () => {
    const { client, server } = pair();
    const accepted = new Promise<SmuxStream>((r) => server.once('stream', r));
    const st = client.openStream();
    st.write('hello');
    const srv = await accepted;
    const all = readAll(srv);
    st.end();
    expect((await all).toString()).toBe('hello');
    expect(srv.remoteClosed).toBe(true);
    // The server may still answer after the client's FIN (half-open is allowed by v1).
    const back = readAll(st);
    srv.end('bye');
    expect((await back).toString()).toBe('bye');
  });

  it('bounds buffering: an unread stream stalls the wire instead of growing memory, then completes', async () => {
    const bound = { maxReceiveBuffer: 256 * 1024, maxStreamBuffer: 64 * 1024, maxSendBuffer: 64 * 1024 };
    const { client, server, c2s } = pair(bound, 4096);
    const accepted = new Promise<SmuxStream>((r) => server.once('stream', r));
    const st = client.openStream();
    const total = 16 * 1024 * 1024;
    const payload = randomBytes(total);
    let offered = 0;
    // Write until back-pressure says stop.
    const pump = () => {
      while (offered < total) {
        const ok = st.write(payload.subarray(offered, offered + 65_536));
        offered += 65_536;
        if (!ok) return;
      }
      st.end();
    };
    st.on('drain', pump);
    pump();
    const srv = await accepted; // never read yet: paused
    await ticks(50);
    // Nothing is consuming: the writer must be stalled far below the 16 MiB offered,
    // and the receiving stream holds at most its bound plus one in-flight wire chunk.
    expect(offered).toBeLessThan(2 * 1024 * 1024);
    expect(srv.readableLength).toBeLessThanOrEqual(bound.maxStreamBuffer + 65_536);
    const inFlight =
      client.bufferedOut + c2s.readableLength + c2s.writableLength + server.writableLength + server.bufferedIn + st.writableLength;
    expect(inFlight).toBeLessThan(2 * 1024 * 1024);

    // Now read: everything arrives intact.
    const got = await readAll(srv);
    expect(got.length).toBe(total);
    expect(sha(got)).toBe(sha(payload));
  });

  it('a protocol error (bad version) tears the session and its streams down', async () => {
    const server = new SmuxSession({ role: 'server' });
    const errors: Error[] = [];
    server.on('error', (e) => errors.push(e));
    const accepted = new Promise<SmuxStream>((r) => server.once('stream', r));
    server.write(encodeSmuxHeader(SmuxCmd.SYN, 3, 0));
    const st = await accepted;
    const streamErr = new Promise<Error>((r) => st.once('error', r));
    server.write(Buffer.from('0203000000000000', 'hex'));
    expect((await streamErr).message).toMatch(/version/);
    await ticks(2);
    expect(server.isClosed).toBe(true);
    expect(errors[0]?.message).toMatch(/version/);
    expect(server.streamCount).toBe(0);
  });

  it('end of the wire input gives every stream EOF; writes after close fail', async () => {
    const server = new SmuxSession({ role: 'server' });
    const accepted = new Promise<SmuxStream>((r) => server.once('stream', r));
    server.write(Buffer.concat([encodeSmuxHeader(SmuxCmd.SYN, 3, 0), encodeSmuxHeader(SmuxCmd.PSH, 3, 2), Buffer.from('hi')]));
    const st = await accepted;
    const all = readAll(st);
    server.end();
    expect((await all).toString()).toBe('hi');

    const c = new SmuxSession({ role: 'client' });
    const s = c.openStream();
    c.close();
    const err = await new Promise<Error | null | undefined>((r) => s.write('late', r));
    expect(err).toBeInstanceOf(Error);
  });
});
