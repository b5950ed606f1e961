// A window's tabs across a reload: what is saved, what comes back, and what a new window
// shows (src/renderer/workspace-layout.ts).
import { describe, expect, it } from 'vitest';
import { LAYOUT_KEY, loadLayout, restoreLayout, saveLayout, type LayoutTab } from '../../../src/renderer/workspace-layout';
import type { SessionInfo } from '../../../src/shared/contract';

const KINDS = new Set(['nodes', 'terminal', 'tunnels', 'settings']);
const nodes: LayoutTab = { kind: 'nodes', id: 'nodes', title: 'Nodes' };

function session(id: string, state: SessionInfo['state'] = 'live'): SessionInfo {
  return { id, awsSessionId: `aws-${id}`, profile: 'p', region: 'us-east-1', target: `i-0${id}`, documentName: null, engine: 'native', state, endReason: null, exitCode: null, message: null, startedAt: 1, endedAt: null, recordingPath: null };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items };
}

const newTab = (s: SessionInfo): LayoutTab => ({ kind: 'terminal', id: s.id, title: s.target, panes: [s.id], broadcast: null });

describe('workspace layout', () => {
  it('saves and restores tabs, their order, split panes, extra fields and the active tab', () => {
    const storage = memoryStorage();
    const split = { kind: 'terminal', id: 'a', title: 'web-1', panes: ['a', 'b'], broadcast: ['a', 'b'], renamed: true, sizes: [40, 60] };
    saveLayout(storage, { tabs: [nodes, split, { kind: 'terminal', id: 'c', title: 'web-2', panes: ['c'], broadcast: null }, { kind: 'tunnels', id: 'tunnels', title: 'Tunnels' }], activeTabId: 'c' });
    const restored = restoreLayout(loadLayout(storage), [session('a'), session('b'), session('c', 'ended')], { tabs: [nodes], activeTabId: 'nodes' }, KINDS, newTab);
    expect(restored.tabs.map((t) => t.id)).toEqual(['nodes', 'a', 'c', 'tunnels']);
    expect(restored.tabs[1]).toEqual(split);
    expect(restored.activeTabId).toBe('c');
  });

  it('drops panes whose sessions main no longer has, and tabs left with none', () => {
    const saved = { tabs: [nodes, { kind: 'terminal', id: 'a', title: 'x', panes: ['a', 'gone'], broadcast: ['a', 'gone'] }, { kind: 'terminal', id: 'z', title: 'y', panes: ['gone-too'], broadcast: null }], activeTabId: 'z' };
    const restored = restoreLayout(saved, [session('a')], { tabs: [nodes], activeTabId: 'nodes' }, KINDS, newTab);
    expect(restored.tabs).toEqual([nodes, { kind: 'terminal', id: 'a', title: 'x', panes: ['a'], broadcast: null }]);
    expect(restored.activeTabId).toBe('nodes');
  });

  it('keeps tabs the window opened before the layout came back, and skips unknown kinds', () => {
    const saved = { tabs: [nodes, { kind: 'from-a-newer-build', id: 'q', title: 'q' }], activeTabId: 'nodes' };
    const opened = { kind: 'terminal', id: 'n', title: 'new', panes: ['n'], broadcast: null };
    const restored = restoreLayout(saved, [session('n')], { tabs: [nodes, opened], activeTabId: 'n' }, KINDS, newTab);
    expect(restored.tabs).toEqual([nodes, opened]);
  });

  it('opens a tab per running session in a new window (no saved layout)', () => {
    const restored = restoreLayout(null, [session('a'), session('b', 'ended'), session('c', 'reconnecting')], { tabs: [nodes], activeTabId: 'nodes' }, KINDS, newTab);
    expect(restored.tabs.map((t) => t.id)).toEqual(['nodes', 'a', 'c']);
    expect(restored.activeTabId).toBe('nodes');
  });

  it('reads a damaged or foreign layout as none, never fatally', () => {
    const storage = memoryStorage();
    for (const raw of ['{', 'null', '{"tabs":3}', JSON.stringify({ tabs: [{ kind: 'terminal', id: 'a', title: 't', panes: 'a' }, { kind: 7 }] })]) {
      storage.items.set(LAYOUT_KEY, raw);
      const layout = loadLayout(storage);
      expect(layout === null || layout.tabs.length === 0, raw).toBe(true);
    }
    expect(loadLayout(undefined)).toBeNull();
  });
});
