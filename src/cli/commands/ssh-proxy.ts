// `hatch ssh-proxy [--profile P] [--region R] HOST PORT`: an AWS-StartSSHSession port
// session on stdin/stdout, for ssh's ProxyCommand — so ssh, scp, rsync and editors' remote
// modes reach a node through Session Manager with neither the AWS CLI nor AWS's plugin.
// stdout carries ssh's bytes and nothing else: every message goes to stderr.
import type { Subcommand } from '../commands';
import { CliContext, asCliError, contextOptions, parseCommandArgs } from '../context';
import { CliError } from '../io';
import { PortSession, portChannelOfClient, type PortProperties } from '../../protocol/port-session';

const usage = `Usage: hatch ssh-proxy [--profile NAME] [--region REGION] HOST PORT

Connects standard input and output to PORT on HOST through a Session Manager session
(the AWS-StartSSHSession document), for ssh's ProxyCommand. HOST is an instance id
(i-…, mi-…) or a node's Name.

  ssh -o ProxyCommand='hatch ssh-proxy %h %p' ec2-user@i-0123456789abcdef0
  scp -o ProxyCommand='hatch ssh-proxy --profile prod %h %p' file ec2-user@web-1:/tmp/

or once in ~/.ssh/config (the app's "SSH config…" writes this block):

  Host i-* mi-*
    ProxyCommand hatch ssh-proxy %h %p

Options:
  --profile NAME   AWS profile (default: AWS_PROFILE, environment credentials, [default])
  --region REGION  region (default: the profile's)`;

export const sshProxyCommand: Subcommand = {
  name: 'ssh-proxy',
  summary: 'stdin/stdout to a port on a node, for ssh ProxyCommand (AWS-StartSSHSession)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, contextOptions);
    if (positionals.length !== 2) throw new CliError(`expected HOST and PORT, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}.`, 2);
    const [host, portText] = positionals;
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw new CliError(`PORT must be a number from 1 to 65535, not "${portText}".`, 2);

    const context = await CliContext.open({ profile: values.profile, region: values.region, io });
    let ps: PortSession | null = null;
    try {
      const node = await context.resolveNode(host);
      const client = await context.openSession(node, { documentName: 'AWS-StartSSHSession', parameters: { portNumber: [portText] } });
      const ready = await client.whenReady().catch((error: unknown) => {
        throw new CliError(`the SSH session to ${node.name} ended before it started: ${(error as Error).message}`);
      });
      if (ready.kind !== 'port') throw new CliError(`AWS-StartSSHSession on ${node.name} started a ${ready.sessionType} session, not a port session.`);
      // AWS-StartSSHSession has no "type": the reference forwards over standard streams.
      const session = new PortSession({
        channel: portChannelOfClient(client),
        sessionId: client.sessionId,
        agentVersion: ready.agentVersion,
        properties: (ready.properties ?? {}) as PortProperties,
        mode: 'stdio',
        stdin: io.stdin,
        stdout: io.stdout,
      });
      ps = session;
      let stopping: Promise<number> | null = null;
      const stop = (): Promise<number> =>
        (stopping ??= (async () => {
          const { flagSent } = await session.close({ terminate: true });
          if (!flagSent) await client.terminate(3000).catch(() => undefined);
          client.close();
          return 0;
        })());
      // ssh closed its side (it is done), or it was told to stop.
      session.on('stdinEnded', () => void stop());
      io.onSignal('SIGTERM', () => void stop());
      io.onSignal('SIGHUP', () => void stop());
      session.on('failed', (error) => io.stderr.write(`hatch ssh-proxy: forwarding failed: ${error.message}\n`));
      session.on('connectToPortError', () => io.stderr.write(`hatch ssh-proxy: ${node.name} could not connect to its port ${portText} (is sshd running there?).\n`));
      await session.start();
      const end = await Promise.race([client.ended.then((e) => ({ by: 'agent' as const, e })), new Promise<{ by: 'us' }>((resolve) => session.once('closed', () => resolve({ by: 'us' })))]);
      if (end.by === 'us') return await (stopping ?? stop());
      await session.close();
      // The agent ended it: sshd closed the connection (normal), or the session failed.
      if (end.e.reason === 'exit' || end.e.reason === 'closed') return 0;
      io.stderr.write(`hatch ssh-proxy: the session to ${node.name} ended: ${end.e.message || end.e.reason}\n`);
      return end.e.reason === 'terminated' ? 0 : 1;
    } catch (error) {
      throw asCliError(error);
    } finally {
      await ps?.close().catch(() => undefined);
      await context.dispose();
    }
  },
};
