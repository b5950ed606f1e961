import { startSandbox } from '../src/sandbox/index';
import { SSMClient, DescribeInstanceInformationCommand, StartSessionCommand, TerminateSessionCommand, ResumeSessionCommand, DescribeSessionsCommand } from '@aws-sdk/client-ssm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const run = async (args: string[], env: any) => { try { const r = await promisify(execFile)('/usr/bin/aws', args, { env }); return r.stdout; } catch (e: any) { return 'ERR ' + e.code + ' ' + e.stderr; } };
async function main() {
const sb = await startSandbox();
console.log(sb.env);
const ssm = new SSMClient({ endpoint: sb.endpoint, region: sb.region, credentials: sb.credentials });
const r = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50 }));
console.log(r.InstanceInformationList?.length, r.InstanceInformationList?.[0]);
const s = await ssm.send(new StartSessionCommand({ Target: sb.fleet.nodes[0].instanceId }));
console.log(s);
console.log(await ssm.send(new ResumeSessionCommand({ SessionId: s.SessionId })));
console.log(await ssm.send(new TerminateSessionCommand({ SessionId: s.SessionId })));
console.log(JSON.stringify(await ssm.send(new DescribeSessionsCommand({ State: 'History' }))));
const env = { ...process.env, ...sb.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
console.log(await run(['--endpoint-url', sb.endpoint, '--no-cli-pager', 'ssm', 'describe-instance-information', '--max-items', '2'], env));
console.log(await run(['--endpoint-url', sb.endpoint, '--no-cli-pager', 'sts', 'get-caller-identity'], env));
console.log(await run(['--endpoint-url', sb.endpoint, '--no-cli-pager', 'ec2', 'describe-instances', '--filters', 'Name=tag:Name,Values=web-*', '--query', 'Reservations[].Instances[].[InstanceId,State.Name,Tags[?Key==`Name`].Value|[0]]', '--output', 'text'], env));
await sb.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
