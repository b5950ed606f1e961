// User actions shared by views, menus, the palette and shortcuts.
import type { ManagedNode } from '../shared/domain/inventory';
import { HatchError, type SessionInfo } from '../shared/contract';
import { api } from './api';
import { useAppStore, type Tab } from './stores/app-store';
import { confirmAction, showDialog } from './ui/dialogs';
import { TunnelDialog } from './components/TunnelDialog';
import { ShortcutsSheet } from './components/ShortcutsSheet';
import { nodeName } from './names';
import { appSettings } from './settings';
import { rememberNode } from './node-marks';

type TerminalTab = Extract<Tab, { kind: 'terminal' }>;

function report(error: unknown): void {
  useAppStore.getState().pushNotice({
    level: 'error',
    message: error instanceof Error ? error.message : String(error),
    action: error instanceof HatchError ? error.action : null,
  });
}

/** The engine new sessions of a profile use: the profile's choice, else the app's default. */
function engineFor(profile: string): 'native' | 'plugin' | undefined {
  const settings = appSettings();
  const perProfile = settings.profileEngines[profile] ?? 'auto';
  const choice = perProfile === 'auto' ? settings.defaultEngine : perProfile;
  return choice === 'auto' ? undefined : choice;
}

export async function startSessionOn(profile: string, region: string, node: Pick<ManagedNode, 'id' | 'name'>): Promise<void> {
  const store = useAppStore.getState();
  try {
    const engine = engineFor(profile);
    const session = await api.call('sessions.start', { profile, region, target: node.id, cols: 120, rows: 32, ...(engine ? { engine } : {}) });
    store.openTerminalTab(session, node.name);
    rememberNode(profile, node.id);
  } catch (error) {
    report(error);
  }
}

/** A shell (or `command`) in an ECS container, in a new tab; the reason when ECS Exec refuses. */
export async function openContainerShell(profile: string, region: string, where: { cluster: string; task: string; container: string; command: string; title: string }): Promise<boolean> {
  try {
    const engine = engineFor(profile);
    const session = await api.call('containers.exec', {
      profile,
      region,
      cluster: where.cluster,
      task: where.task,
      container: where.container,
      command: where.command,
      cols: 120,
      rows: 32,
      ...(engine ? { engine } : {}),
    });
    useAppStore.getState().openTerminalTab(session, where.title);
    return true;
  } catch (error) {
    report(error);
    return false;
  }
}

/** Another session like `session` (same node or container, document, command and engine). */
async function startLike(session: SessionInfo, cols = 80, rows = 24): Promise<SessionInfo> {
  if (session.exec) return api.call('containers.exec', { profile: session.profile, region: session.region, ...session.exec, engine: session.engine, cols, rows });
  return api.call('sessions.start', {
    profile: session.profile,
    region: session.region,
    target: session.target,
    ...(session.documentName ? { documentName: session.documentName } : {}),
    engine: session.engine,
    cols,
    rows,
  });
}

export async function splitTab(tab: TerminalTab): Promise<void> {
  const first = useAppStore.getState().sessions[tab.panes[0]];
  if (!first) return;
  try {
    useAppStore.getState().addPane(tab.id, await startLike(first));
  } catch (error) {
    report(error);
  }
}

export async function duplicateTab(tab: TerminalTab): Promise<void> {
  const first = useAppStore.getState().sessions[tab.panes[0]];
  if (!first) return;
  try {
    useAppStore.getState().openTerminalTab(await startLike(first, 120, 32), tab.nodeName ?? tab.title);
  } catch (error) {
    report(error);
  }
}

/** Starts ended panes of the tab again, in place. */
export async function reconnectTab(tab: TerminalTab): Promise<void> {
  const { sessions } = useAppStore.getState();
  for (const sessionId of tab.panes) {
    if (sessions[sessionId]?.state !== 'ended') continue;
    try {
      useAppStore.getState().upsertSession(await api.call('sessions.restart', { sessionId }));
    } catch (error) {
      report(error);
    }
  }
}

const liveSessionsOf = (tab: Tab): string[] => {
  const { sessions } = useAppStore.getState();
  return tab.kind === 'terminal' ? tab.panes.filter((id) => sessions[id] && sessions[id].state !== 'ended') : [];
};

/** Closes tabs, ending their sessions; asks first when a live session would end (a setting). */
export async function closeTabs(tabs: Tab[]): Promise<void> {
  const closable = tabs.filter((t) => t.kind !== 'nodes');
  const live = closable.flatMap(liveSessionsOf);
  if (live.length > 0 && appSettings().terminal.confirmClose) {
    const labels = closable.filter((t) => liveSessionsOf(t).length > 0).map((t) => t.title);
    const ok = await confirmAction({
      title: live.length === 1 ? 'End the live session?' : `End ${live.length} live sessions?`,
      body: `Closing ${labels.length === 1 ? `“${labels[0]}”` : `${labels.length} tabs`} ends ${live.length === 1 ? 'its shell' : 'their shells'} on the node: anything running there in the foreground stops. (Settings → Terminal turns this question off.)`,
      confirmLabel: live.length === 1 ? 'End session and close' : `End ${live.length} sessions and close`,
    });
    if (!ok) return;
  }
  for (const id of live) void api.call('sessions.terminate', { sessionId: id }).catch(() => undefined);
  for (const tab of closable) useAppStore.getState().closeTab(tab.id);
}

export function closeOtherTabs(tab: Tab): Promise<void> {
  return closeTabs(useAppStore.getState().tabs.filter((t) => t.id !== tab.id));
}

export async function toggleBroadcast(tab: TerminalTab): Promise<void> {
  const store = useAppStore.getState();
  if (tab.broadcast !== null) return store.setBroadcast(tab.id, null);
  const ok = await confirmAction({
    title: 'Broadcast input to every pane?',
    body: `What you type in one pane will be sent to all ${tab.panes.length} panes of “${tab.title}” — every command runs on each of their nodes at once.`,
    confirmLabel: `Broadcast to ${tab.panes.length} panes`,
  });
  if (ok) store.setBroadcast(tab.id, [...tab.panes]);
}

/** The forward-port dialog, for a node or (no node) with a node picker. */
export function openForwardDialog(profile: string, region: string, node: ManagedNode | null): void {
  showDialog((close) => <TunnelDialog node={node} profile={profile} region={region} onClose={close} />);
}

export function openShortcuts(): void {
  if (document.querySelector('[aria-label="Keyboard shortcuts"]')) return;
  showDialog((close) => <ShortcutsSheet onClose={close} />);
}

/** The node a command applies to: the current terminal tab's node, else the node table's cursor. */
export function currentNode(): { profile: string; region: string; node: ManagedNode | Pick<ManagedNode, 'id' | 'name'> } | null {
  const state = useAppStore.getState();
  const tab = state.tabs.find((t) => t.id === state.activeTabId);
  const session = tab?.kind === 'terminal' ? state.sessions[tab.panes[0]] : undefined;
  if (session) return { profile: session.profile, region: session.region, node: { id: session.target, name: nodeName(state, session.profile, session.region, session.target) } };
  if (!state.selectedNodeId || !state.selectedProfile || !state.selectedRegion) return null;
  const node = state.inventories[`${state.selectedProfile}/${state.selectedRegion}`]?.nodes.find((n) => n.id === state.selectedNodeId);
  return node ? { profile: state.selectedProfile, region: state.selectedRegion, node } : null;
}

export function copyText(text: string): void {
  void navigator.clipboard?.writeText(text).then(
    () => useAppStore.getState().pushNotice({ level: 'info', message: `Copied ${text}`, action: null }),
    () => undefined,
  );
}
