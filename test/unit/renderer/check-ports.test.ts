import { describe, expect, it } from 'vitest';
import { checkPorts } from '../../../src/renderer/components/view-helpers';

describe('checkPorts', () => {
  it('takes a remote port 1–65535 and an empty local port as any free port', () => {
    expect(checkPorts('5432', '')).toEqual({ remote: 5432, local: 0, remoteError: null, localError: null });
    expect(checkPorts('80', '8080')).toMatchObject({ remote: 80, local: 8080, remoteError: null, localError: null });
  });
  it('names what is wrong with each port; an empty remote port is not yet an error', () => {
    expect(checkPorts('', '').remoteError).toBeNull();
    for (const bad of ['0', '65536', '1.5', 'abc', '-1']) expect(checkPorts(bad, '').remoteError).toBe('A port from 1 to 65535.');
    for (const bad of ['65536', 'x', '2.5']) expect(checkPorts('80', bad).localError).toMatch(/empty for any free port/);
  });
});
