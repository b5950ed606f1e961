// hatch-sandbox: the local Session Manager on loopback, until SIGINT/SIGTERM.
import '../runtime/quiet-warnings';
import { FAULT_HELP } from './faults';
import { startSandbox, type SandboxOptions } from './index';

const HELP = `Usage: hatch-sandbox [options]

A local stand-in for the AWS endpoints Hatch uses (SSM, EC2, ECS, STS, KMS, IAM Identity
Center sign-in and the Session Manager data channel), on 127.0.0.1 only. Point any AWS client at it with
an endpoint URL (AWS_ENDPOINT_URL, endpoint_url in a profile, or --endpoint-url).

Options:
  --port N              listen on port N (default: a free port)
  --nodes N             generate a deterministic fleet of N nodes (us-east-1 and eu-west-1)
  --fleet FILE          load the fleet from a JSON fleet file
  --data-dir DIR        keep transcripts, agent files and the sandbox's keys in DIR
                        (the same keys are reused on the next start)
  --faults SPEC         inject faults, e.g. drop=0.01,delay=20ms,throttle=0.1 (below)
  --time-scale X        make sandbox time run X times faster (idle timeouts, max
                        session duration, credential lifetimes, fault cuts)
  --agent-pacing on|off real-agent pacing of data-channel output (default on)
  --credential-lifetime S  cap AssumeRole/GetSessionToken credentials at S seconds
  --print-env           print export lines for AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
                        AWS_SECRET_ACCESS_KEY, AWS_REGION first, then the MFA secret
  --help                show this help

${FAULT_HELP}

Fleet file (--fleet): JSON, { "accountId"?: "123456789012", "nodes": [ { "instanceId":
"i-0123456789abcdef0" or "mi-…", "name": "web-1", "tags"?: {…}, "platformType"?:
Linux|Windows|MacOS, "platformName"?, "platformVersion"?, "pingStatus"?: Online|
ConnectionLost|Inactive, "agentVersion"?, "ipAddress"?, "region"?, "computerName"?,
"hostMap"?: { "db.internal": "127.0.0.1" }, "hideTools"?: ["gzip"], "osc7"?: true } ], "clusters"?: [ { "name", "region"?,
"tags"?, "denyExecuteCommand"?, "services"?: [ { "name", "desiredCount"?,
"enableExecuteCommand"?, "agentStatus"?: RUNNING|PENDING|STOPPED, "containers": [ {
"name", "image"?, "environment"?, "ports"? } ] } ] } ] } (a bare array of nodes also works).

ECS: ListClusters, DescribeClusters, ListServices, DescribeServices, ListTasks,
DescribeTasks and ExecuteCommand; \`aws ecs execute-command --interactive --command
/bin/sh\` opens a shell in a container (a pty in its own directory and environment).

Identity: the printed keys belong to arn:aws:iam::123456789012:user/hatch-sandbox.
sts assume-role works for any role in account 123456789012; roles whose name
contains "mfa" need --serial-number/--token-code from the printed TOTP secret.
KMS keys: alias/hatch-sessions, alias/hatch-backup, alias/hatch-disabled.

IAM Identity Center (SSO): SSO OIDC (RegisterClient, StartDeviceAuthorization,
CreateToken) and the SSO portal (GetRoleCredentials, ListAccounts, ListAccountRoles,
Logout) answer on the same endpoint. Use sso_start_url = <endpoint>/start, any
sso_region, and endpoint_url = <endpoint> in the profile; open the verification
link the client shows (<endpoint>/device?user_code=XXXX-XXXX) to approve the sign-in.
Assigned roles in account 123456789012: AdministratorAccess, ReadOnlyAccess,
SessionManagerUser.

A denied region (--faults deny=eu-west-1): every SSM, EC2 and KMS call there fails
with AccessDeniedException (EC2: UnauthorizedOperation); STS keeps working.
`;

function fail(msg: string): never {
  process.stderr.write(`hatch-sandbox: ${msg}\nTry 'hatch-sandbox --help'.\n`);
  process.exit(2);
}

export function parseArgs(argv: string[]): { options: SandboxOptions; printEnv: boolean; help: boolean } {
  const options: SandboxOptions = {};
  let printEnv = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) fail(`${name} needs a value`);
      return v;
    };
    const num = (v: string, what: string, min: number): number => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) fail(`${what}: expected a number ≥ ${min}, got "${v}"`);
      return n;
    };
    switch (name) {
      case '--port':
        options.port = num(value(), '--port', 0);
        break;
      case '--nodes':
        options.nodes = num(value(), '--nodes', 0);
        if (!Number.isInteger(options.nodes)) fail('--nodes: expected an integer');
        break;
      case '--fleet':
        options.fleetFile = value();
        break;
      case '--data-dir':
        options.dataDir = value();
        break;
      case '--faults':
        options.faults = value();
        break;
      case '--time-scale':
        options.timeScale = num(value(), '--time-scale', Number.MIN_VALUE);
        break;
      case '--agent-pacing': {
        const v = value();
        if (v !== 'on' && v !== 'off') fail(`--agent-pacing: expected on or off, got "${v}"`);
        options.agentPacing = v === 'on';
        break;
      }
      case '--credential-lifetime':
        options.credentialLifetimeSeconds = num(value(), '--credential-lifetime', 1);
        break;
      case '--print-env':
        printEnv = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        fail(`unknown option ${arg}`);
    }
  }
  if (options.nodes !== undefined && options.fleetFile !== undefined) fail('use either --nodes or --fleet, not both');
  return { options, printEnv, help };
}

async function main(): Promise<void> {
  const { options, printEnv, help } = parseArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(HELP);
    return;
  }
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (e) {
    fail((e as Error).message);
  }
  if (printEnv) {
    const lines = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION'].map((k) => `export ${k}=${sandbox.env[k]}`);
    lines.push(`# MFA device ${sandbox.mfa.serialNumber} TOTP secret (base32): ${sandbox.mfa.secret}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  const regions = sandbox.fleet.regions().map((r) => `${r}: ${sandbox.fleet.inRegion(r).length}`).join(', ');
  process.stderr.write(`hatch-sandbox: listening on ${sandbox.endpoint} (${sandbox.fleet.nodes.length} nodes; ${regions}); data dir ${sandbox.dataDir}\n`);
  process.stderr.write(`hatch-sandbox: SSO start URL ${sandbox.sso.startUrl}${sandbox.faults.deny?.length ? `; denied regions: ${sandbox.faults.deny.join(', ')}` : ''}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`hatch-sandbox: ${signal}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
