// SigV4 checks at the HTTP level: requests signed by @smithy/signature-v4 as a client
// would, then altered, to see each failure AWS reports.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index';

type SignedRequest = Awaited<ReturnType<SignatureV4['sign']>>;

describe('sandbox SigV4 verification', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb?.close();
  });

  async function signed(opts: { service?: string; target?: string; body?: string; method?: string; query?: Record<string, string>; date?: Date; creds?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } }) {
    const url = new URL(sb.endpoint);
    const req = new HttpRequest({
      method: opts.method ?? 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: opts.query ?? {},
      headers: {
        host: url.host,
        ...(opts.target ? { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': opts.target } : {}),
        ...(opts.method === 'GET' ? {} : { 'content-type': opts.target ? 'application/x-amz-json-1.1' : 'application/x-www-form-urlencoded' }),
      },
      body: opts.body ?? '',
    });
    const signer = new SignatureV4({ service: opts.service ?? 'ssm', region: sb.region, sha256: Sha256, credentials: opts.creds ?? sb.credentials });
    return signer.sign(req, { signingDate: opts.date });
  }

  async function send(req: SignedRequest, body = req.body as string) {
    const qs = new URLSearchParams(req.query as Record<string, string>).toString();
    const res = await fetch(`${sb.endpoint}/${qs ? `?${qs}` : ''}`, { method: req.method, headers: req.headers, body: req.method === 'GET' ? undefined : body });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), text: await res.text() };
  }

  it('accepts a correctly signed JSON request', async () => {
    const r = await send(await signed({ target: 'AmazonSSM.DescribeInstanceInformation', body: '{}' }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).InstanceInformationList.length).toBeGreaterThan(0);
  });

  it('accepts a signed EC2 GET with its parameters in the query string', async () => {
    const r = await send(await signed({ service: 'ec2', method: 'GET', query: { Action: 'DescribeRegions', Version: '2016-11-15', 'RegionName.1': 'eu-west-1' } }));
    expect(r.status).toBe(200);
    expect(r.text).toContain('<regionName>eu-west-1</regionName>');
  });

  it('rejects a body changed after signing', async () => {
    const req = await signed({ target: 'AmazonSSM.DescribeInstanceInformation', body: '{}' });
    const r = await send(req, '{"MaxResults":5}');
    expect([r.status, r.type]).toEqual([400, 'InvalidSignatureException']);
    expect(JSON.parse(r.text).__type).toBe('InvalidSignatureException');
  });

  it('rejects a signature older than 15 minutes', async () => {
    const r = await send(await signed({ target: 'AmazonSSM.DescribeInstanceInformation', body: '{}', date: new Date(Date.now() - 20 * 60_000) }));
    expect(r.type).toBe('InvalidSignatureException');
    expect(JSON.parse(r.text).message).toMatch(/^Signature expired/);
  });

  it('rejects a credential scoped to another service', async () => {
    const r = await send(await signed({ service: 'kms', target: 'AmazonSSM.DescribeInstanceInformation', body: '{}' }));
    expect(r.type).toBe('InvalidSignatureException');
    expect(JSON.parse(r.text).message).toContain("scoped to correct service: 'ssm'");
  });

  it('rejects an unsigned request and a forged session token', async () => {
    const unsigned = await fetch(sb.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.DescribeSessions', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const forged = await send(await signed({ target: 'AmazonSSM.DescribeSessions', body: '{"State":"Active"}', creds: { ...sb.credentials, sessionToken: 'forged' } }));
    expect(forged.type).toBe('UnrecognizedClientException');
  });

  it('answers query-protocol errors in the XML shapes', async () => {
    const bad = { ...sb.credentials, secretAccessKey: 'nope' };
    const sts = await send(await signed({ service: 'sts', body: 'Action=GetCallerIdentity&Version=2011-06-15', creds: bad }), 'Action=GetCallerIdentity&Version=2011-06-15');
    expect(sts.status).toBe(403);
    expect(sts.text).toMatch(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code><Message>.+<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/);
    const ec2 = await send(await signed({ service: 'ec2', body: 'Action=DescribeInstances&Version=2016-11-15', creds: bad }), 'Action=DescribeInstances&Version=2016-11-15');
    expect(ec2.status).toBe(401);
    expect(ec2.text).toMatch(/<Response><Errors><Error><Code>AuthFailure<\/Code><Message>.+<\/Message><\/Error><\/Errors><RequestID>/);
  });
});
