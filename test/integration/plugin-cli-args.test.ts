// session-manager-plugin's argument contract (spec 12.1–12.2) as parsed by hatch-ssm-plugin.
import { describe, expect, it } from 'vitest';
import { parseCli, PLUGIN_VERSION } from '../../src/plugin-cli/args';

const RESPONSE = { SessionId: 'sess-1', TokenValue: 'tok', StreamUrl: 'wss://example/v1/data-channel/sess-1?role=publish_subscribe' };
// What `aws ssm start-session` passes: Python json.dumps separators (", " and ": ").
const PARAMS = '{"Target": "i-0123456789abcdef0", "DocumentName": "AWS-StartPortForwardingSession", "Parameters": {"portNumber": ["80"]}}';

describe('parseCli', () => {
  it('argc 1, 2 and 3', () => {
    expect(parseCli([], {})).toEqual({ kind: 'installed' });
    expect(parseCli(['--version'], {})).toEqual({ kind: 'version' });
    expect(parseCli(['--help'], {})).toEqual({ kind: 'unknown-operation', arg: '--help' });
    expect(parseCli(['--version', 'x'], {})).toEqual({ kind: 'unknown-operation', arg: '--version' });
  });

  it('the version is 4-part numeric and above the threshold the AWS CLI checks (1.2.497.0)', () => {
    expect(PLUGIN_VERSION).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const [a, b, c] = PLUGIN_VERSION.split('.').map(Number);
    expect(a > 1 || (a === 1 && (b > 2 || (b === 2 && c > 497)))).toBe(true);
  });

  it('the full 7-argument form as the AWS CLI passes it', () => {
    const a = parseCli([JSON.stringify(RESPONSE), 'eu-west-1', 'StartSession', 'work', PARAMS, 'https://ssm.eu-west-1.amazonaws.com'], {});
    expect(a).toEqual({
      kind: 'start',
      response: RESPONSE,
      region: 'eu-west-1',
      profile: 'work',
      legacy: false,
      parameters: { Target: 'i-0123456789abcdef0', DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: ['80'] } },
      endpointUrl: 'https://ssm.eu-west-1.amazonaws.com',
      responseEnvVar: undefined,
    });
  });

  it('the response may come from an AWS_SSM_START_SESSION_RESPONSE* variable; keys match case-insensitively', () => {
    const lower = JSON.stringify({ sessionid: 'sess-2', tokenvalue: 't2', streamurl: 'ws://x' });
    const a = parseCli(['AWS_SSM_START_SESSION_RESPONSE_1', 'us-east-1', 'StartSession', '', '{"Target": "mi-0123456789abcdef0"}', 'http://127.0.0.1:1'], {
      AWS_SSM_START_SESSION_RESPONSE_1: lower,
    });
    expect(a).toMatchObject({ kind: 'start', response: { SessionId: 'sess-2', TokenValue: 't2', StreamUrl: 'ws://x' }, profile: undefined, responseEnvVar: 'AWS_SSM_START_SESSION_RESPONSE_1' });
  });

  it('4 arguments is the legacy form (no profile, no KMS); arguments past 7 are ignored', () => {
    expect(parseCli([JSON.stringify(RESPONSE), 'us-east-1', 'StartSession'], {})).toMatchObject({ kind: 'start', legacy: true, profile: undefined, endpointUrl: undefined });
    expect(parseCli([JSON.stringify(RESPONSE), 'us-east-1', 'StartSession', '', PARAMS, 'http://e', 'extra', 'more'], {})).toMatchObject({
      kind: 'start',
      legacy: false,
      endpointUrl: 'http://e',
    });
  });

  it('errors: other operation, bad response, missing Target', () => {
    expect(parseCli([JSON.stringify(RESPONSE), 'us-east-1', 'ResumeSession', '', PARAMS], {})).toEqual({ kind: 'invalid-operation' });
    expect(parseCli(['{', 'us-east-1', 'StartSession', '', PARAMS], {})).toMatchObject({ kind: 'error', exitCode: 1 });
    expect(parseCli(['AWS_SSM_START_SESSION_RESPONSE', 'us-east-1', 'StartSession', '', PARAMS], {})).toMatchObject({ kind: 'error' });
    expect(parseCli([JSON.stringify(RESPONSE), 'us-east-1', 'StartSession', '', '{"Target": 5}'], {})).toMatchObject({ kind: 'error', exitCode: 2 });
  });
});
