import { SSMClient, StartSessionCommand } from '@aws-sdk/client-ssm';
import net from 'node:net';
import { connectDataChannel } from '/work/main/src/main/protocol/client';
import { startPortSession } from '/work/main/src/main/protocol/port-session';
import { startSandbox } from '/work/main/src/sandbox/index';
(async () => {
  let got = 0;
  const srv = net.createServer((s) => s.on('data', (d) => (got += d.length)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const dport = (srv.address() as net.AddressInfo).port;
  const sandbox = await startSandbox({ agentPacing: false });
  const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
  const node = sandbox.fleet.nodes.find((n) => n.pingStatus === 'Online' && n.platformType === 'Linux' && n.region === sandbox.region)!;
  const st = await ssm.send(new StartSessionCommand({ Target: node.instanceId, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: [String(dport)] } }));
  const client = await connectDataChannel({ streamUrl: st.StreamUrl!, tokenValue: st.TokenValue!, sessionId: st.SessionId!, target: node.instanceId });
  const ps = await startPortSession(client, { bindAddress: '127.0.0.1' });
  const s = net.connect(ps.listenInfo!.port, '127.0.0.1');
  const chunk = Buffer.alloc(65536, 1);
  const N = 20e6;
  let sent = 0;
  const pump = () => { while (sent < N) { sent += chunk.length; if (!s.write(chunk)) return void s.once('drain', pump); } };
  pump();
  const t0 = Date.now();
  let last = 0;
  const iv = setInterval(() => {
    const st = client.channel.stats();
    console.log(Date.now() - t0, 'got', got - last, 'inFlight', st.inFlight, 'queued', st.queuedBytes, 'retx', st.retransmissions, 'srtt', st.srttMs.toFixed(2), 'rto', st.rtoMs.toFixed(1), 'smuxOut', (ps as any).smux.bufferedOut, 'paused', (ps as any).smux.isPaused());
    last = got;
    if (got >= N) { clearInterval(iv); process.exit(0); }
  }, 200);
})();
