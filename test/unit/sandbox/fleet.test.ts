// Fleet files, the default fleet and the deterministic generator.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFleet, generateFleet, loadFleetFile, parseFleet } from '../../../src/sandbox/fleet';

// Part-wise numeric comparison, as the client compares agent versions (spec 9.1).
const below = (v: string, ref: string) => {
  const a = v.split('.').map(Number);
  const b = ref.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
};

describe('fleet', () => {
  it('has a small friendly default fleet with one old agent and one lost node', () => {
    const f = defaultFleet();
    expect(f.nodes.length).toBeGreaterThanOrEqual(10);
    expect(f.nodes.length).toBeLessThanOrEqual(14);
    expect(f.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['web-1', 'web-2', 'db-jump', 'bastion']));
    expect(f.nodes.filter((n) => below(n.agentVersion, '3.0.222.0')).length).toBe(1);
    expect(f.nodes.filter((n) => n.pingStatus === 'ConnectionLost').length).toBe(1);
    expect(f.nodes.some((n) => n.instanceId.startsWith('mi-') && n.resourceType === 'ManagedInstance')).toBe(true);
    expect(f.regions()).toEqual(['eu-west-1', 'us-east-1']);
    for (const n of f.nodes) {
      expect(n.instanceId).toMatch(/^(i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/);
      for (const ip of Object.values(n.hostMap ?? {})) expect(ip).toMatch(/^127\./);
    }
    expect(defaultFleet().nodes).toEqual(f.nodes); // same ids every start
  });

  it('generates the same large fleet every time, spread over two regions', () => {
    const a = generateFleet(10_000);
    const b = generateFleet(10_000);
    expect(a.nodes).toEqual(b.nodes);
    expect(new Set(a.nodes.map((n) => n.instanceId)).size).toBe(10_000);
    expect(a.regions()).toEqual(['eu-west-1', 'us-east-1']);
    expect(a.inRegion('eu-west-1').length).toBe(2000);
    const old = a.nodes.filter((n) => below(n.agentVersion, '3.0.222.0'));
    expect(old.length).toBeGreaterThan(10);
    expect(old.length).toBeLessThan(300);
    expect(a.nodes.filter((n) => n.pingStatus !== 'Online').length).toBeGreaterThan(100);
    expect(a.nodes.filter((n) => n.resourceType === 'ManagedInstance').length).toBe(500);
    expect(new Set(a.nodes.map((n) => n.platformType))).toEqual(new Set(['Linux', 'Windows', 'MacOS']));
    expect(generateFleet(0).nodes).toEqual([]);
  });

  it('loads a fleet file and fills in defaults', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
    const file = path.join(dir, 'fleet.json');
    writeFileSync(
      file,
      JSON.stringify({
        accountId: '210987654321',
        nodes: [
          { instanceId: 'i-0123456789abcdef0', name: 'alpha', tags: { Team: 'x' }, hostMap: { 'db.internal': '127.0.0.1' } },
          { instanceId: 'mi-0123456789abcdef0', name: 'nas', platformType: 'Windows', pingStatus: 'Inactive', region: 'eu-west-1' },
        ],
      }),
    );
    const f = loadFleetFile(file);
    expect(f.get('i-0123456789abcdef0')).toMatchObject({ name: 'alpha', tags: { Team: 'x', Name: 'alpha' }, resourceType: 'EC2Instance', accountId: '210987654321', region: 'us-east-1', pingStatus: 'Online' });
    expect(f.get('mi-0123456789abcdef0')).toMatchObject({ resourceType: 'ManagedInstance', platformType: 'Windows', pingStatus: 'Inactive', tags: {} });
  });

  it('names what is wrong in a bad fleet file', () => {
    expect(() => parseFleet({ nodes: [{ instanceId: 'x-1', name: 'a' }] })).toThrow(/instance ids/);
    expect(() => parseFleet([{ instanceId: 'i-0123456789abcdef0', name: 'a', pingStatus: 'Up' }])).toThrow(/pingStatus/);
    expect(() => parseFleet([{ instanceId: 'i-0123456789abcdef0', name: 'a', hostMap: { x: '10.0.0.1' } }])).toThrow(/loopback/);
    expect(() => parseFleet([{ instanceId: 'i-0123456789abcdef0', name: 'a' }, { instanceId: 'i-0123456789abcdef0', name: 'b' }])).toThrow(/duplicate/);
  });
});
