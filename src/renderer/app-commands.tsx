// The app's own palette commands, node actions and tab menu items — registered here once,
// through the same registries any feature uses (commands.ts, node-actions.ts, tab-menu.ts).
import { registerCommands, registerSearch, type Command } from './commands';
import { actionLabel, nodeActions, registerNodeAction, whyNoSession } from './node-actions';
import { registerTabMenuItem } from './tab-menu';
import { useAppStore, tabLabels, SINGLETON_TITLES, type SingletonTabKind, type Tab } from './stores/app-store';
import { api } from './api';
import { filterNodes } from '../shared/node-filter';
import { closeOtherTabs, closeTabs, copyText, currentNode, duplicateTab, openForwardDialog, openShortcuts, reconnectTab, splitTab, startSessionOn, toggleBroadcast } from './actions';
import { localAddress, tunnelLabel, tunnelRoute } from './names';
import { toggleFavourite, marksOf } from './node-marks';
import { PreflightDialog } from './components/PreflightDialog';
import { showDialog } from './ui/dialogs';

type TerminalTab = Extract<Tab, { kind: 'terminal' }>;
const isTerminal = (tab: Tab | undefined): tab is TerminalTab => tab?.kind === 'terminal';
const activeTab = () => {
  const s = useAppStore.getState();
  return s.tabs.find((t) => t.id === s.activeTabId);
};

/** Asks the tab bar to show the rename field of a tab. */
function beginRename(tabId: string): void {
  window.dispatchEvent(new CustomEvent('hatch:rename-tab', { detail: tabId }));
}

// ── Node actions (context menu, detail pane, palette) ───────────────────────────────
registerNodeAction({ id: 'session', label: 'Start session', order: 10, unavailable: ({ node }) => whyNoSession(node), run: ({ node, profile, region }) => void startSessionOn(profile, region, node) });
registerNodeAction({ id: 'forward', label: 'Forward port…', order: 20, unavailable: ({ node }) => whyNoSession(node), run: ({ node, profile, region }) => openForwardDialog(profile, region, node) });
registerNodeAction({
  id: 'preflight',
  label: 'Preflight checks…',
  order: 30,
  inPalette: false,
  run: ({ node, profile, region }) => showDialog((close) => <PreflightDialog profile={profile} region={region} node={{ id: node.id, name: node.name }} onClose={close} />),
});
registerNodeAction({
  id: 'favourite',
  label: ({ node, profile }) => (marksOf(profile).favourites.includes(node.id) ? 'Remove from favourites' : 'Add to favourites'),
  order: 40,
  inPalette: false,
  run: ({ node, profile }) => toggleFavourite(profile, node.id),
});
registerNodeAction({ id: 'copy-id', label: 'Copy node id', order: 50, inPalette: false, run: ({ node }) => copyText(node.id) });
registerNodeAction({ id: 'copy-ip', label: 'Copy IP address', order: 51, inPalette: false, unavailable: ({ node }) => (node.ipAddress ? null : 'This node has no IP address on record.'), run: ({ node }) => node.ipAddress && copyText(node.ipAddress) });

// ── Tab menu ──────────────────────────────────────────────────────────────────────
registerTabMenuItem({ id: 'rename', label: 'Rename…', order: 10, appliesTo: isTerminal, run: (tab) => beginRename(tab.id) });
registerTabMenuItem({ id: 'duplicate', label: 'Duplicate session', order: 20, appliesTo: isTerminal, run: (tab) => isTerminal(tab) && void duplicateTab(tab) });
registerTabMenuItem({
  id: 'reconnect',
  label: 'Reconnect',
  order: 30,
  appliesTo: isTerminal,
  disabled: (tab) => isTerminal(tab) && !tab.panes.some((p) => useAppStore.getState().sessions[p]?.state === 'ended'),
  run: (tab) => isTerminal(tab) && void reconnectTab(tab),
});
registerTabMenuItem({ id: 'split', label: 'Split (another session beside)', order: 40, appliesTo: isTerminal, run: (tab) => isTerminal(tab) && void splitTab(tab) });
registerTabMenuItem({
  id: 'copy-node-id',
  label: 'Copy node id',
  order: 50,
  appliesTo: isTerminal,
  run: (tab) => {
    const session = isTerminal(tab) ? useAppStore.getState().sessions[tab.panes[0]] : undefined;
    if (session) copyText(session.target);
  },
});
registerTabMenuItem({ id: 'close-others', label: 'Close other tabs', order: 90, disabled: () => useAppStore.getState().tabs.length <= 2, run: (tab) => void closeOtherTabs(tab) });
registerTabMenuItem({ id: 'close', label: 'Close', order: 91, appliesTo: (tab) => tab.kind !== 'nodes', run: (tab) => void closeTabs([tab]) });

// ── Palette commands ──────────────────────────────────────────────────────────────
const VIEW_WORDS: Record<SingletonTabKind, string> = {
  tunnels: 'port forwards',
  preferences: 'session manager preferences idle timeout logging kms',
  documents: 'session documents',
  audit: 'sessions history audit recordings terminate',
  settings: 'app settings options terminal font recordings engine theme',
  containers: 'ecs clusters services tasks exec docker fargate',
};

registerCommands(() => {
  const s = useAppStore.getState();
  const labels = tabLabels(s.tabs);
  const out: Command[] = s.tabs.map((tab) => ({ id: `tab:${tab.id}`, title: labels.get(tab.id) ?? tab.title, hint: 'tab', run: () => s.activateTab(tab.id) }));
  out.push({ id: 'view:nodes', title: 'Open Nodes', hint: 'view', keywords: 'node list browse', run: () => s.activateTab('nodes') });
  for (const kind of Object.keys(SINGLETON_TITLES) as SingletonTabKind[]) {
    out.push({ id: `view:${kind}`, title: `Open ${SINGLETON_TITLES[kind]}`, hint: 'view', keywords: VIEW_WORDS[kind], run: () => s.openView(kind) });
  }
  const here = currentNode();
  if (here) {
    out.push({ id: 'session:new', title: `New session on ${here.node.name}`, hint: 'Ctrl+T', keywords: 'shell terminal open', run: () => void startSessionOn(here.profile, here.region, here.node) });
    const full = s.inventories[`${here.profile}/${here.region}`]?.nodes.find((n) => n.id === here.node.id) ?? null;
    if (full) out.push({ id: 'tunnel:forward-here', title: `Forward port on ${full.name}…`, hint: 'tunnel', keywords: 'tunnel port forward', run: () => openForwardDialog(here.profile, here.region, full) });
  }
  if (s.selectedProfile && s.selectedRegion) {
    const [profile, region] = [s.selectedProfile, s.selectedRegion];
    out.push({ id: 'tunnel:new', title: 'Forward a port… (new tunnel)', hint: 'tunnel', keywords: 'tunnel port forward new', run: () => openForwardDialog(profile, region, null) });
    out.push({ id: 'nodes:refresh', title: 'Refresh nodes', hint: 'nodes', keywords: 'reload list', run: () => void s.loadInventory(profile, region) });
  }
  const tab = activeTab();
  if (isTerminal(tab)) {
    out.push({ id: 'tab:split', title: 'Split the terminal (another session beside)', hint: 'terminal', keywords: 'pane side by side', run: () => void splitTab(tab) });
    out.push({ id: 'tab:duplicate', title: 'Duplicate session', hint: 'terminal', run: () => void duplicateTab(tab) });
    out.push({ id: 'tab:rename', title: 'Rename tab…', hint: 'terminal', run: () => beginRename(tab.id) });
    out.push({ id: 'tab:reconnect', title: 'Reconnect ended sessions', hint: 'terminal', keywords: 'restart', run: () => void reconnectTab(tab) });
    if (tab.panes.length > 1) out.push({ id: 'tab:broadcast', title: tab.broadcast ? 'Stop broadcasting input' : 'Broadcast input to every pane…', hint: 'terminal', run: () => void toggleBroadcast(tab) });
  }
  if (tab && tab.kind !== 'nodes') out.push({ id: 'tab:close', title: 'Close tab', hint: 'Ctrl+W', run: () => void closeTabs([tab]) });
  if (s.tabs.length > 2 && tab) out.push({ id: 'tab:close-others', title: 'Close other tabs', run: () => void closeOtherTabs(tab) });
  out.push({ id: 'tab:next', title: 'Next tab', hint: 'Ctrl+Tab', run: () => s.cycleTab(1) });
  out.push({ id: 'tab:previous', title: 'Previous tab', hint: 'Ctrl+Shift+Tab', run: () => s.cycleTab(-1) });
  out.push({ id: 'app:theme', title: 'Toggle theme (light / dark)', hint: 'view', keywords: 'dark light mode colours', run: () => s.setTheme(document.querySelector('.app')?.getAttribute('data-theme') === 'dark' ? 'light' : 'dark') });
  out.push({ id: 'app:shortcuts', title: 'Keyboard shortcuts', hint: 'F1', keywords: 'keys help hotkeys', run: openShortcuts });
  for (const profile of s.profiles) {
    if (profile.name !== s.selectedProfile) out.push({ id: `profile:${profile.name}`, title: `Switch profile: ${profile.name}`, hint: 'profile', keywords: 'account', run: () => s.selectProfile(profile.name) });
  }
  const selected = s.profiles.find((p) => p.name === s.selectedProfile);
  for (const region of [...new Set([...(selected?.regions ?? []), ...(selected?.region ? [selected.region] : [])])]) {
    if (region !== s.selectedRegion) out.push({ id: `region:${region}`, title: `Switch region: ${region}`, hint: 'region', run: () => s.selectRegion(region) });
  }
  for (const t of Object.values(s.tunnels)) {
    const name = `${tunnelLabel(s, t)} (${tunnelRoute(s, t)}, ${localAddress(t)})`;
    if (t.state === 'stopped' || t.state === 'failed') out.push({ id: `tunnel:restart:${t.id}`, title: `Restart tunnel ${name}`, hint: 'tunnel', run: () => void api.call('tunnels.restart', { tunnelId: t.id }).then(s.upsertTunnel, () => undefined) });
    else out.push({ id: `tunnel:stop:${t.id}`, title: `Stop tunnel ${name}`, hint: 'tunnel', run: () => void api.call('tunnels.stop', { tunnelId: t.id }).catch(() => undefined) });
  }
  return out;
});

// Nodes of the selected profile and region that match what is typed, with their actions.
registerSearch((query) => {
  const s = useAppStore.getState();
  const [profile, region] = [s.selectedProfile, s.selectedRegion];
  const inventory = profile && region ? s.inventories[`${profile}/${region}`] : undefined;
  if (!inventory || !profile || !region) return [];
  const favourites = new Set(marksOf(profile).favourites);
  const nodes = filterNodes(inventory.nodes, query)
    .sort((a, b) => Number(favourites.has(b.id)) - Number(favourites.has(a.id)))
    .slice(0, 20);
  const out: Command[] = [];
  for (const node of nodes) {
    for (const action of nodeActions()) {
      if (action.inPalette === false) continue;
      const context = { node, profile, region };
      if (action.unavailable?.(context)) continue;
      out.push({
        id: `node:${action.id}:${node.id}`,
        title: action.id === 'session' ? `${node.name}  ${node.id}` : `${actionLabel(action, context).replace(/…$/, '')} on ${node.name}${actionLabel(action, context).endsWith('…') ? '…' : ''}`,
        hint: action.id === 'session' ? 'start session' : 'node',
        run: () => action.run(context),
      });
    }
  }
  return out;
});

