import { performance } from 'node:perf_hooks';
import { startSandbox } from '../src/sandbox/index';
import { SSMClient, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
async function main() {
  const sb = await startSandbox({ nodes: 10000 });
  const c = new SSMClient({ endpoint: sb.endpoint, region: 'us-east-1', credentials: sb.credentials });
  // raw response
  let tok: string | undefined;
  for (let k = 0; k < 2; k++) {
    let t = performance.now();
    let n = 0;
    tok = undefined;
    do { const r = await c.send(new DescribeInstanceInformationCommand({ MaxResults: 50, NextToken: tok })); tok = r.NextToken; n++; } while (tok);
    console.log('sdk pages', n, performance.now() - t);
  }
  await sb.close();
}
main();
