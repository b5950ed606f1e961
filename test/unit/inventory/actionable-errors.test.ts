// Errors a person can act on: recognised from what the SDK and Node raise, said in words
// with the next step, and shown on the profile's dot until a call succeeds.
import { describe, expect, it } from 'vitest';
import { HatchError } from '../../../src/shared/contract';
import { actionableError, ProfileHealth, problemKind } from '../../../src/main/inventory/actionable-errors';

const where = { profile: 'prod', region: 'eu-west-1', doing: 'listing its managed nodes', endpoint: null };
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('actionableError', () => {
  it('an endpoint that does not resolve: the host, in words, and what to check', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND ssm.eu-west-1.example.internal'), { code: 'ENOTFOUND', hostname: 'ssm.eu-west-1.example.internal' });
    const error = actionableError(dns, { ...where, endpoint: 'https://ssm.eu-west-1.example.internal' })!;
    expect(error.detail).toBe('endpoint-unreachable');
    expect(error.message).toBe('Hatch could not reach ssm.eu-west-1.example.internal for prod (eu-west-1): its name does not resolve.');
    expect(error.message).not.toContain('getaddrinfo');
    expect(error.action).toContain('endpoint_url');
    expect(problemKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBe('endpoint-unreachable');
  });

  it('expired credentials and access denied, also when wrapped by the inventory (the AWS name in detail)', () => {
    expect(actionableError(awsError('ExpiredTokenException', 'The security token included in the request is expired'), where)!.message).toBe('The credentials of prod (eu-west-1) have expired.');
    const denied = new HatchError(
      'AwsError',
      'Could not list the managed nodes of "prod" in eu-west-1: AccessDeniedException: User: arn:aws:iam::1:user/x is not authorized to perform: ssm:DescribeInstanceInformation on resource: *',
      null,
      'AccessDeniedException',
    );
    const error = actionableError(denied, where)!;
    expect(error.detail).toBe('access-denied');
    expect(error.message).toContain('lacks ssm:DescribeInstanceInformation');
    expect(error.action).toContain('ssm:DescribeInstanceInformation');
  });

  it('leaves other errors alone', () => {
    expect(actionableError(awsError('ThrottlingException', 'Rate exceeded'), where)).toBeNull();
    expect(actionableError(new Error('something else'), where)).toBeNull();
  });
});

describe('ProfileHealth', () => {
  const profiles: Array<{ name: string; credentialState: string; error: string | null }> = [
    { name: 'prod', credentialState: 'ready', error: null },
    { name: 'dev', credentialState: 'ready', error: null },
  ];

  it('marks the profile and region until a call there succeeds, announcing each change once', () => {
    let changes = 0;
    const health = new ProfileHealth(() => changes++);
    const problem = actionableError(awsError('AccessDeniedException', 'denied'), where)!;
    health.failed('prod', 'eu-west-1', problem);
    health.failed('prod', 'eu-west-1', problem);
    expect(changes).toBe(1);
    const text = `${problem.message} ${problem.action}`;
    expect(health.apply(profiles)).toEqual([
      { name: 'prod', credentialState: 'error', error: text, regionErrors: { 'eu-west-1': text } },
      { name: 'dev', credentialState: 'ready', error: null },
    ]);
    // A success in another region does not hide eu-west-1's problem.
    health.succeeded('prod', 'us-east-1');
    expect(changes).toBe(1);
    expect(health.apply(profiles)[0]).toMatchObject({ credentialState: 'error', regionErrors: { 'eu-west-1': text } });
    health.succeeded('prod', 'eu-west-1');
    health.succeeded('prod', 'eu-west-1');
    expect(changes).toBe(2);
    expect(health.apply(profiles)).toEqual(profiles);
  });

  it('names each failing region once; expired credentials clear everywhere on any success', () => {
    const health = new ProfileHealth(() => undefined);
    const unreachable = actionableError(Object.assign(new Error('getaddrinfo ENOTFOUND ssm.example.invalid'), { code: 'ENOTFOUND' }), { profile: 'prod', region: 'us-east-1', doing: 'listing' })!;
    const expired = actionableError(awsError('ExpiredTokenException', 'expired'), { profile: 'prod', region: 'eu-west-1', doing: 'listing' })!;
    health.failed('prod', 'us-east-1', unreachable);
    health.failed('prod', 'eu-west-1', expired);
    const [prod] = health.apply(profiles);
    expect(Object.keys(prod.regionErrors ?? {})).toEqual(['eu-west-1', 'us-east-1']);
    expect(prod.error?.split('\n')).toEqual([`${expired.message} ${expired.action}`, `${unreachable.message} ${unreachable.action}`]);
    // Signed in again: a listing in ap-south-1 works, so the credentials are good in eu-west-1 too.
    health.succeeded('prod', 'ap-south-1');
    expect(health.apply(profiles)[0].regionErrors).toEqual({ 'us-east-1': `${unreachable.message} ${unreachable.action}` });
  });
});
