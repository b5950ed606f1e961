// Contract entries of the containers/ service (ECS clusters, services, tasks, containers and
// ECS Exec shells). Spread into `calls` and `events` in contract.ts, so the contract is
// still declared once. A port forward to a container is a `tunnels.start` on its target.
import { z } from 'zod';
import { ContainersSnapshot } from './domain/containers';
import { EngineKind, SessionInfo } from './domain/sessions';

const Profile = z.string().min(1).max(200);
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region such as us-east-1');
const Name = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'letters, digits, - and _');

export const containersCalls = {
  /** Every cluster of a profile and region with its services, running tasks and containers. */
  'containers.list': { request: z.object({ profile: Profile, region: Region, refresh: z.boolean().optional() }).strict(), response: ContainersSnapshot },
  /** ECS ExecuteCommand (interactive) in a container, in a terminal tab like a node's shell. */
  'containers.exec': {
    request: z
      .object({
        profile: Profile,
        region: Region,
        cluster: Name,
        /** Task ARN or id. */
        task: z.string().regex(/^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/[A-Za-z0-9_-]+\/)?[0-9a-f-]{32,36}$/, 'a task ARN or id'),
        container: Name,
        /** What to run; AWS's own default is /bin/sh. */
        command: z.string().min(1).max(4096).default('/bin/sh'),
        engine: EngineKind.optional(),
        cols: z.number().int().min(2).max(1000),
        rows: z.number().int().min(1).max(500),
      })
      .strict(),
    response: SessionInfo,
  },
} as const;

export const containersEvents = {} as const;
