import { describe, expect, it } from 'vitest';
import { createNodeFilter, explainEmpty, filterNodes, parseNodeQuery, refines, tagCompletionAt, tagIndex } from '../../../src/shared/node-filter';
import { makeNodes } from './nodes';
import type { ManagedNode } from '../../../src/shared/domain/inventory';

const nodes = makeNodes(1000);
const ids = (query: string) => filterNodes(nodes, query).map((n) => n.id);
// The reference: the same semantics written the slow, obvious way.
const naive = (pred: (n: (typeof nodes)[number]) => boolean) => nodes.filter(pred).map((n) => n.id);

describe('parseNodeQuery', () => {
  it('parses every term type', () => {
    expect(parseNodeQuery('web tag:Environment=prod status:online,lost platform:linux -db "two words" tag:Team tag:env=pro*').terms).toMatchObject([
      { type: 'text', value: 'web', negate: false },
      { type: 'tag', key: 'environment', value: 'prod', prefix: false, negate: false },
      { type: 'status', values: ['Online', 'ConnectionLost'], negate: false },
      { type: 'platform', value: 'linux', negate: false },
      { type: 'text', value: 'db', negate: true },
      { type: 'text', value: 'two words', negate: false },
      { type: 'tag', key: 'team', prefix: false, negate: false },
      { type: 'tag', key: 'env', value: 'pro', prefix: true, negate: false },
    ]);
  });

  it('reports what it does not understand', () => {
    const q = parseNodeQuery('status:sleeping tag:=x');
    expect(q.problems).toHaveLength(2);
    expect(q.terms).toEqual([]);
  });

  it('keeps quoted tag values with spaces', () => {
    expect(parseNodeQuery('tag:Name="web server 1"').terms).toMatchObject([{ type: 'tag', key: 'name', value: 'web server 1', prefix: false, negate: false }]);
  });
});

describe('filterNodes', () => {
  it('returns everything for an empty query', () => {
    expect(filterNodes(nodes, '   ')).toHaveLength(nodes.length);
  });

  it('free text matches name, id, IP and platform, case-insensitively', () => {
    expect(ids('WEB-12')).toEqual(naive((n) => n.name.toLowerCase().includes('web-12')));
    expect(ids('mi-')).toEqual(naive((n) => n.id.startsWith('mi-')));
    expect(ids('10.0.3.')).toEqual(naive((n) => (n.ipAddress ?? '').includes('10.0.3.')));
    expect(ids('ubuntu')).toEqual(naive((n) => n.platformName === 'Ubuntu'));
  });

  it('tag:Key=Value, tag:Key and prefixes', () => {
    expect(ids('tag:environment=PROD')).toEqual(naive((n) => n.tags.Environment === 'prod'));
    expect(ids('tag:Environment=st*')).toEqual(naive((n) => n.tags.Environment === 'staging'));
    expect(ids('tag:Team')).toHaveLength(nodes.length);
    expect(ids('tag:Missing')).toEqual([]);
    // Exact means exact: "prod" does not match "production", nor a key that merely starts alike.
    const odd = [{ ...nodes[0], tags: { Environment: 'production', EnvironmentX: 'prod' } }];
    expect(filterNodes(odd, 'tag:Environment=prod')).toEqual([]);
    expect(filterNodes(odd, 'tag:Environment=prod*')).toHaveLength(1);
    expect(filterNodes(odd, 'tag:Environment=production')).toHaveLength(1);
  });

  it('status and platform', () => {
    expect(ids('status:online')).toEqual(naive((n) => n.pingStatus === 'Online'));
    expect(ids('status:lost')).toEqual(naive((n) => n.pingStatus === 'ConnectionLost'));
    expect(ids('status:inactive,lost')).toEqual(naive((n) => n.pingStatus !== 'Online'));
    expect(ids('platform:linux')).toEqual(naive((n) => n.platformType === 'Linux'));
    expect(ids('platform:windows')).toEqual(naive((n) => n.platformType === 'Windows'));
  });

  it('combines with AND, and negates', () => {
    expect(ids('web tag:Environment=prod status:online platform:linux')).toEqual(
      naive((n) => n.name.includes('web') && n.tags.Environment === 'prod' && n.pingStatus === 'Online' && n.platformType === 'Linux'),
    );
    expect(ids('-status:online -web')).toEqual(naive((n) => n.pingStatus !== 'Online' && !n.name.includes('web')));
  });
});

describe('what an operator types', () => {
  const fleet: ManagedNode[] = [
    { ...nodes[0], id: 'i-0000000000000001', name: 'web-1', tags: { Environment: 'prod', Role: 'web' } },
    { ...nodes[1], id: 'i-0000000000000002', name: 'batch-1', tags: { Environment: 'staging', Role: 'batch' } },
    { ...nodes[2], id: 'i-0000000000000003', name: 'legacy', tags: { env: 'prod' } },
  ];
  const names = (q: string) => filterNodes(fleet, q).map((n) => n.name);

  it('plain text matches tag values', () => {
    expect(names('staging')).toEqual(['batch-1']);
    expect(names('prod')).toEqual(['web-1', 'legacy']);
  });

  it('env and Environment find each other (tag keys are case-insensitive, common short forms alias)', () => {
    expect(names('tag:env=prod')).toEqual(['web-1', 'legacy']);
    expect(names('tag:ENVIRONMENT=prod')).toEqual(['web-1', 'legacy']);
    expect(names('-tag:env=prod')).toEqual(['batch-1']);
    expect(names('tag:env')).toEqual(['web-1', 'batch-1', 'legacy']);
  });

  it('says why nothing matched, naming the keys and values that exist', () => {
    expect(explainEmpty(fleet, 'tag:owner=me')).toEqual(['No node here has a tag "owner".']);
    expect(explainEmpty(fleet, 'tag:Role=db')).toEqual(['No node has Role=db; its values here: web, batch.']);
    expect(explainEmpty(fleet, 'web status:lost')[0]).toMatch(/No node is connectionlost/);
    expect(explainEmpty(fleet, 'web batch')).toEqual(['Each term matches some nodes, but no node matches all of them.']);
  });

  it('finds the tag completion being typed', () => {
    expect(tagCompletionAt('web tag:En')).toEqual({ kind: 'key', typed: 'En', start: 4 });
    expect(tagCompletionAt('tag:Role=we')).toEqual({ kind: 'value', key: 'Role', typed: 'we', start: 0 });
    expect(tagCompletionAt('-tag:')).toEqual({ kind: 'key', typed: '', start: 1 });
    expect(tagCompletionAt('web')).toBeNull();
    expect([...tagIndex(fleet).keys()]).toEqual(['Environment', 'Role', 'env']);
  });
});

describe('typing on narrows the previous matches', () => {
  it('refines: lengthened text and added terms narrow; anything else does not', () => {
    const r = (a: string, b: string) => refines(parseNodeQuery(a), parseNodeQuery(b));
    expect(r('', 'w')).toBe(true);
    expect(r('web', 'web-0')).toBe(true);
    expect(r('web', 'xweb')).toBe(true);
    expect(r('web', 'web status:online')).toBe(true);
    expect(r('status:online', 'status:online db')).toBe(true);
    expect(r('web-0', 'web-')).toBe(false);
    expect(r('tag:Env', 'tag:Env=')).toBe(false); // key present → key with an empty value
    expect(r('tag:Env=p', 'tag:Env=pr')).toBe(false);
    expect(r('-d', '-db')).toBe(false); // excluding more text excludes fewer nodes
    expect(r('status:online', 'status:online,lost')).toBe(false);
  });

  it('gives the same rows as filtering everything, for every prefix typed and deleted', () => {
    const filter = createNodeFilter();
    for (const query of ['web-00', 'tag:Environment=prod', '10.1', 'status:online platform:linux db', '-web-1 web', 'tag:env=pro* x']) {
      const steps = [...Array(query.length + 1).keys()].map((i) => query.slice(0, i));
      for (const typed of [...steps, ...steps.reverse()]) {
        expect(filter(nodes, typed).map((n) => n.id), typed).toEqual(ids(typed));
      }
    }
    // A new listing (another array) is filtered in full.
    const fewer = nodes.slice(0, 10);
    expect(filter(fewer, 'web').map((n) => n.id)).toEqual(filterNodes(fewer, 'web').map((n) => n.id));
  });
});
