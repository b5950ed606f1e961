// Synthetic nodes for filter tests and the bench (deterministic, no randomness).
import type { ManagedNode } from '../../../src/shared/domain/inventory';

const ROLES = ['web', 'db', 'cache', 'queue', 'batch', 'bastion'];
const ENVS = ['prod', 'staging', 'dev'];
const PLATFORMS: Array<[string, string]> = [
  ['Linux', 'Amazon Linux'],
  ['Linux', 'Ubuntu'],
  ['Windows', 'Microsoft Windows Server 2022 Datacenter'],
  ['MacOS', 'macOS'],
];
const STATUS: ManagedNode['pingStatus'][] = ['Online', 'Online', 'Online', 'ConnectionLost', 'Inactive'];

export function makeNodes(count: number): ManagedNode[] {
  const nodes: ManagedNode[] = [];
  for (let i = 0; i < count; i++) {
    const hybrid = i % 10 === 9;
    const role = ROLES[i % ROLES.length];
    const env = ENVS[Math.floor(i / 7) % ENVS.length];
    const [platformType, platformName] = PLATFORMS[i % PLATFORMS.length];
    const hex = i.toString(16).padStart(17, '0');
    nodes.push({
      id: hybrid ? `mi-${hex}` : `i-${hex}`,
      name: `${role}-${i}`,
      ipAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      platformType,
      platformName,
      agentVersion: '3.3.1142.0',
      pingStatus: STATUS[i % STATUS.length],
      resourceType: hybrid ? 'ManagedInstance' : 'EC2Instance',
      tags: { Name: `${role}-${i}`, Environment: env, Team: i % 2 ? 'Platform' : 'Data' },
      region: 'us-east-1',
    });
  }
  return nodes;
}
