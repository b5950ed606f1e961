// EC2 (EC2 query protocol, XML, 2016-11-15): DescribeInstances over the fleet's i- nodes
// and DescribeRegions. Hybrid (mi-) nodes are not EC2 instances.
import { createHash } from 'node:crypto';
import type { FleetNode } from './agent-api';
import type { AuthContext } from './auth';
import type { QueryHandler, SandboxContext } from './context';
import { ApiError } from './errors';
import { decodeToken, encodeToken, globToRegExp, queryFilters, queryList, type XmlValue } from './protocol';

const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1',
];

const INSTANCE_TYPES = ['t3.micro', 't3.small', 't3.medium', 'm6i.large', 'c6i.xlarge', 'r6i.large'];

function state(n: FleetNode): { code: number; name: string } {
  return n.pingStatus === 'Online' ? { code: 16, name: 'running' } : { code: 80, name: 'stopped' };
}

function derived(n: FleetNode) {
  const h = createHash('sha256').update(n.instanceId).digest();
  return {
    instanceType: INSTANCE_TYPES[h[0] % INSTANCE_TYPES.length],
    az: `${n.region}${'abc'[h[1] % 3]}`,
    imageId: `ami-0${h.subarray(2, 10).toString('hex').slice(0, 16)}`,
    reservationId: `r-0${h.subarray(10, 18).toString('hex').slice(0, 16)}`,
    launchTime: new Date(Date.UTC(2024, h[18] % 12, 1 + (h[19] % 28), h[20] % 24, h[21] % 60)),
  };
}

/** One filter's values as a test, compiled once per request: exact values by Set, globs by RegExp. */
function compileValues(values: string[]): (v: string | undefined) => boolean {
  const exact = new Set(values.filter((p) => !/[*?]/.test(p)));
  const globs = values.filter((p) => /[*?]/.test(p)).map(globToRegExp);
  return (v) => v !== undefined && (exact.has(v) || globs.some((g) => g.test(v)));
}

function filterMatch(n: FleetNode, name: string, any: (v: string | undefined) => boolean): boolean {
  switch (name) {
    case 'instance-id':
      return any(n.instanceId);
    case 'instance-state-name':
      return any(state(n).name);
    case 'instance-state-code':
      return any(String(state(n).code));
    case 'instance-type':
      return any(derived(n).instanceType);
    case 'availability-zone':
      return any(derived(n).az);
    case 'private-ip-address':
      return any(n.ipAddress);
    case 'platform':
      return n.platformType === 'Windows' && any('windows');
    case 'tag-key':
      return Object.keys(n.tags).some((k) => any(k));
    case 'tag-value':
      return Object.values(n.tags).some((v) => any(v));
    default:
      if (name.startsWith('tag:')) return any(n.tags[name.slice(4)]);
      throw new ApiError('InvalidParameterValue', `The filter '${name}' is invalid`, 400);
  }
}

export class Ec2Service {
  constructor(private readonly ctx: SandboxContext) {}

  readonly handlers: Record<string, QueryHandler> = {
    DescribeInstances: (p, a) => this.describeInstances(p, a),
    DescribeRegions: (p) => {
      const names = queryList(p, 'RegionName');
      const unknown = names.find((r) => !REGIONS.includes(r));
      if (unknown) throw new ApiError('InvalidParameterValue', `Invalid region: ${unknown}`, 400);
      const list = names.length ? names : REGIONS;
      return { regionInfo: list.map((r) => ({ regionName: r, regionEndpoint: `ec2.${r}.amazonaws.com`, optInStatus: 'opt-in-not-required' })) };
    },
  };

  private describeInstances(params: Record<string, string>, auth: AuthContext) {
    const ids = queryList(params, 'InstanceId');
    const filters = queryFilters(params);
    const maxRaw = params.MaxResults;
    if (maxRaw !== undefined && ids.length) {
      throw new ApiError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults', 400);
    }
    const max = maxRaw === undefined ? 1000 : Number(maxRaw);
    if (!Number.isInteger(max) || max < 5 || max > 1000) {
      throw new ApiError('InvalidParameterValue', `Value ( ${maxRaw} ) for parameter maxResults is invalid. Expecting a value greater than 5.`, 400);
    }
    const bad = ids.find((id) => !/^i-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id));
    if (bad) throw new ApiError('InvalidInstanceID.Malformed', `Invalid id: "${bad}"`, 400);
    const instances = this.ctx.fleet.inRegion(auth.region).filter((n) => n.resourceType === 'EC2Instance');
    const known = new Set(instances.map((n) => n.instanceId));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length) {
      throw new ApiError('InvalidInstanceID.NotFound', `The instance ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' do${missing.length > 1 ? '' : 'es'} not exist`, 400);
    }
    const wanted = new Set(ids);
    const tests = filters.map((f) => ({ name: f.name, any: compileValues(f.values) }));
    const matched = instances.filter((n) => (wanted.size === 0 || wanted.has(n.instanceId)) && tests.every((t) => filterMatch(n, t.name, t.any)));
    const token = decodeToken(params.NextToken, 'InvalidParameterValue');
    const start = typeof token?.o === 'number' ? token.o : 0;
    const page = matched.slice(start, start + max);
    const next = start + max < matched.length ? encodeToken({ o: start + max }) : undefined;
    return {
      reservationSet: page.map((n) => this.reservation(n)),
      ...(next ? { nextToken: next } : {}),
    };
  }

  private reservation(n: FleetNode): XmlValue {
    const d = derived(n);
    const s = state(n);
    const windows = n.platformType === 'Windows';
    return {
      reservationId: d.reservationId,
      ownerId: n.accountId,
      groupSet: [],
      instancesSet: [
        {
          instanceId: n.instanceId,
          imageId: d.imageId,
          instanceState: { code: s.code, name: s.name },
          privateDnsName: `ip-${n.ipAddress.replace(/\./g, '-')}.${n.region === 'us-east-1' ? 'ec2.internal' : `${n.region}.compute.internal`}`,
          dnsName: '',
          reason: s.name === 'stopped' ? 'User initiated' : '',
          amiLaunchIndex: 0,
          productCodes: [],
          instanceType: d.instanceType,
          launchTime: d.launchTime,
          placement: { availabilityZone: d.az, groupName: '', tenancy: 'default' },
          ...(windows ? { platform: 'windows' } : {}),
          monitoring: { state: 'disabled' },
          privateIpAddress: n.ipAddress,
          groupSet: [],
          architecture: n.platformType === 'MacOS' ? 'arm64_mac' : 'x86_64',
          rootDeviceType: 'ebs',
          rootDeviceName: '/dev/xvda',
          blockDeviceMapping: [],
          virtualizationType: 'hvm',
          tagSet: Object.entries(n.tags).map(([key, value]) => ({ key, value })),
          iamInstanceProfile: { arn: `arn:aws:iam::${n.accountId}:instance-profile/SSMInstanceProfile`, id: 'AIPAHATCHSANDBOX00001' },
          platformDetails: windows ? 'Windows' : 'Linux/UNIX',
        },
      ],
    };
  }
}
