// Closing Hatch with sessions and a tunnel open: the host ends them while the built-in
// sandbox still answers (their TerminateSession reaches it), and the sandbox goes last, so
// nothing asks a closed agent for a new session ("internal error: agent is closed").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { SessionInfo, TunnelInfo } from '../../src/shared/contract';
import { startHostHarness, waitFor } from '../helpers/host-harness';

describe('closing the host', () => {
  it('terminates its sessions and tunnels before its sandbox, without an internal error', async () => {
    const h = await startHostHarness();
    const server = http.createServer((req, res) => res.end(`node says ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    try {
      const web = h.byName('web-1');
      const session = await h.call<SessionInfo>('sessions.start', { profile: 'Sandbox', region: 'us-east-1', target: web.id, cols: 80, rows: 24, engine: 'native' });
      await waitFor(() => h.session(session.id)?.state === 'live' || undefined, 20_000, 'the shell session to be live');
      const tunnel = await h.call<TunnelInfo>('tunnels.start', { profile: 'Sandbox', region: 'us-east-1', target: web.id, remotePort: (server.address() as AddressInfo).port, localPort: 0, label: 'web' });
      await waitFor(() => h.tunnel(tunnel.id)?.state === 'open' || tunnel.state === 'open' || undefined, 20_000, 'the tunnel to open');
      expect(await fetch(`http://127.0.0.1:${tunnel.localPort}/up`).then((r) => r.text())).toBe('node says /up');
      const sandbox = h.sandbox;

      process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        written.push(String(chunk));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stderr.write;
      await h.dispose();

      expect(written.filter((line) => /internal error|agent is closed/.test(line))).toEqual([]);
      // Every session the host opened was ended by it…
      const opened = sandbox.sessions().filter((s) => s.target === web.id);
      expect(opened.length).toBeGreaterThanOrEqual(2);
      expect(opened.filter((s) => s.endReason !== 'terminated').map((s) => `${s.sessionId} ${s.status} ${s.endReason ?? ''}`)).toEqual([]);
      // …the shell through TerminateSession, which needs the sandbox still up (closed first, it hears none).
      expect(sandbox.stats.byOperation['ssm:TerminateSession'] ?? 0).toBeGreaterThanOrEqual(1);
    } finally {
      process.stderr.write = write;
      server.close();
    }
  });
});
