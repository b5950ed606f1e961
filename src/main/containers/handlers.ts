// Handlers of the containers/ contract entries (src/shared/contract-containers.ts).
import { ExecuteCommandCommand } from '@aws-sdk/client-ecs';
import { HatchError } from '../../shared/contract';
import type { containersCalls } from '../../shared/contract-containers';
import type { Handlers } from '../handlers';
import { describeAwsError } from '../sessions/aws-errors';
import type { ContainerExec, SessionManager } from '../sessions/session-manager';
import type { ContainersClients, ContainersService } from './containers-service';

interface ContainersDeps {
  containers: ContainersService;
  sessions: SessionManager;
}

/** ECS ExecuteCommand for the session manager: interactive, and its session as StartSession's answer. */
export function executeCommandWith(clients: ContainersClients) {
  return async (profile: string, region: string, exec: ContainerExec) => {
    const ecs = await clients.ecs(profile, region);
    try {
      const out = await ecs.send(new ExecuteCommandCommand({ cluster: exec.cluster, task: exec.task, container: exec.container, command: exec.command, interactive: true }));
      const s = out.session;
      if (!s?.sessionId || !s.tokenValue || !s.streamUrl) throw new HatchError('AwsError', 'ExecuteCommand answered without a session.', 'Try again.');
      return { SessionId: s.sessionId, TokenValue: s.tokenValue, StreamUrl: s.streamUrl };
    } catch (error) {
      throw describeAwsError(error, { profile, region, target: `${exec.cluster}/${exec.container}` });
    }
  };
}

export function containersHandlers({ containers, sessions }: ContainersDeps): Pick<Handlers, keyof typeof containersCalls> {
  const listings = new Map<string, Promise<Awaited<ReturnType<ContainersService['list']>>>>();
  return {
    'containers.list': async ({ profile, region, refresh }) => {
      const cached = refresh ? undefined : containers.cached(profile, region);
      if (cached) return cached;
      // Two windows asking at once share one listing.
      const key = `${profile}\u0000${region}`;
      let listing = listings.get(key);
      if (!listing) {
        listing = containers.list(profile, region).finally(() => listings.delete(key));
        listings.set(key, listing);
      }
      return listing;
    },
    'containers.exec': async ({ profile, region, cluster, task, container, command, engine, cols, rows }) => {
      const found = await containers.execTarget(profile, region, cluster, task, container);
      return sessions.start({
        profile,
        region,
        target: found.target,
        engine,
        cols,
        rows,
        exec: { cluster, task: found.taskArn, container, command },
      });
    },
  };
}
