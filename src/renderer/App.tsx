// The app frame: title bar, profile sidebar, tabbed main area and status bar, plus the
// window-wide layers (dialogs, toasts, tooltips, the palette).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Panel, PanelGroup, PanelResizeHandle, type ImperativePanelHandle } from 'react-resizable-panels';
import { api } from './api';
import { useAppStore } from './stores/app-store';
import type { Tab } from './stores/app-store';
import { Sidebar } from './components/Sidebar';
import { StatusBar } from './components/StatusBar';
import { TabBar } from './components/TabBar';
import { TitleBar } from './components/TitleBar';
import { NodesView } from './views/NodesView';
import { TerminalTab } from './views/TerminalTab';
import { TunnelsView } from './views/TunnelsView';
import { PreferencesView } from './views/PreferencesView';
import { DocumentsView } from './views/DocumentsView';
import { AuditView } from './views/AuditView';
import { SettingsView } from './views/SettingsView';
import { ContainersView } from './views/ContainersView';
import { useGlobalShortcuts } from './shortcuts';
import { CommandPalette } from './components/CommandPalette';
import { CredentialDialogs } from './components/CredentialDialogs';
import { useResolvedTheme } from './theme';
import { useFocusRecovery } from './focus';
import { DialogHost } from './ui/dialogs';
import { Toaster } from './ui/toast';
import { TooltipProvider } from './ui/Tooltip';
import { RecordingsNotice } from './components/RecordingsNotice';
import { useAppSettingsSync } from './settings-sync';
import './app-commands';
import { startTransfers, TransfersPanel } from './transfers/transfers';
import './container-commands';
import './access-commands';

function TabView({ tab }: { tab: Tab }) {
  switch (tab.kind) {
    case 'nodes':
      return <NodesView />;
    case 'terminal':
      return <TerminalTab tab={tab} />;
    case 'tunnels':
      return <TunnelsView />;
    case 'preferences':
      return <PreferencesView />;
    case 'documents':
      return <DocumentsView />;
    case 'audit':
      return <AuditView />;
    case 'settings':
      return <SettingsView />;
    case 'containers':
      return <ContainersView />;
  }
}

// The sidebar keeps its width in pixels (the panels library thinks in percentages of the
// window): 220 px at first, at least 150, at most 40 % of the window; what the person
// chose is remembered and kept when the window is resized.
const SIDEBAR_KEY = 'hatch.sidebarWidth';
const SIDEBAR_MIN_PX = 150;
const percentOf = (px: number, windowWidth: number) => Math.min(40, (px / Math.max(windowWidth, 1)) * 100);
function savedSidebarPx(): number {
  const px = Number(localStorage.getItem(SIDEBAR_KEY));
  return Number.isFinite(px) && px >= SIDEBAR_MIN_PX ? px : 220;
}

function useSidebarWidth() {
  const panel = useRef<ImperativePanelHandle>(null);
  const [windowWidth, setWindowWidth] = useState(() => window.innerWidth);
  const [initial] = useState(savedSidebarPx);
  useEffect(() => {
    const onResize = () => setWindowWidth(window.innerWidth);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  // After the new minimum is in place (resizing first would clamp to the old one). Until
  // then, sizes the library reports come from the window's change, not the person's: not saved.
  const settledWidth = useRef(windowWidth);
  useEffect(() => {
    settledWidth.current = windowWidth;
    panel.current?.resize(percentOf(savedSidebarPx(), windowWidth));
  }, [windowWidth]);
  const sizes = {
    defaultSize: percentOf(initial, windowWidth),
    minSize: percentOf(SIDEBAR_MIN_PX, windowWidth),
    onResize: (percent: number) => {
      if (window.innerWidth === settledWidth.current) localStorage.setItem(SIDEBAR_KEY, String(Math.round((percent / 100) * window.innerWidth)));
    },
  };
  return [panel, sizes] as const;
}

/**
 * The height of the bars under the workspace (the first-run recordings notice, the status bar)
 * as `--bottom-chrome` on <html>, so the transfers drawer and the toasts float above them
 * instead of over the notice's buttons.
 */
function useBottomChromeHeight() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const set = () => document.documentElement.style.setProperty('--bottom-chrome', `${Math.ceil(el.getBoundingClientRect().height)}px`);
    set();
    const observer = new ResizeObserver(set);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return ref;
}

export function App() {
  const activeTabId = useAppStore((s) => s.activeTabId);
  const tabs = useAppStore((s) => s.tabs);
  const theme = useResolvedTheme();
  const [paletteOpen, setPaletteOpen] = useState(false);
  const openPalette = useCallback(() => setPaletteOpen(true), []);
  useGlobalShortcuts(openPalette);
  useFocusRecovery();
  useAppSettingsSync();
  const [sidebarPanel, sidebar] = useSidebarWidth();
  const bottomChrome = useBottomChromeHeight();

  // Dialogs, menus and toasts are portalled to <body>: the theme's variables live on <html>.
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const { setSystemInfo, setProfiles, setConnectionError, pushNotice } = useAppStore.getState();
    api.call('system.info', {}).then(setSystemInfo, (error: Error) => setConnectionError(error.message));
    api.call('profiles.list', {}).then(({ profiles }) => setProfiles(profiles), (error: Error) => setConnectionError(error.message));
    const offProfiles = api.on('profiles.changed', ({ profiles }) => setProfiles(profiles));
    const offNotice = api.on('system.notice', pushNotice);
    const offProgress = api.on('inventory.progress', ({ profile, region, count, page }) => useAppStore.getState().inventoryProgress(profile, region, count, page));
    const offTunnels = api.on('tunnels.changed', ({ tunnel }) => useAppStore.getState().upsertTunnel(tunnel));
    const offStats = api.on('tunnels.stats', ({ stats }) => useAppStore.getState().addTunnelStats(stats));
    const offRemoved = api.on('tunnels.removed', ({ tunnelId }) => useAppStore.getState().removeTunnel(tunnelId));
    void api.call('tunnels.list', {}).then(({ tunnels }) => tunnels.forEach((t) => useAppStore.getState().upsertTunnel(t)), () => undefined);
    const offSessions = api.on('sessions.changed', ({ session }) => useAppStore.getState().upsertSession(session));
    const offTransfers = startTransfers();
    // Sessions outlive windows: reopen this window's tabs (a reload) or the running sessions (a new window).
    void api.call('sessions.list', {}).then(({ sessions }) => useAppStore.getState().restoreWorkspace(sessions), () => undefined);
    return () => {
      offTransfers();
      offSessions();
      offTunnels();
      offStats();
      offRemoved();
      offProgress();
      offProfiles();
      offNotice();
    };
  }, []);

  return (
    <TooltipProvider>
      <div className="app" data-theme={theme}>
        <TitleBar onOpenPalette={openPalette} />
        {/* The sidebar is resizable (drag, or arrows on the focused handle); its width is remembered. */}
        <PanelGroup direction="horizontal" className="body" keyboardResizeBy={2}>
          <Panel id="sidebar" order={0} ref={sidebarPanel} defaultSize={sidebar.defaultSize} minSize={sidebar.minSize} maxSize={40} onResize={sidebar.onResize} className="sidebar-panel">
            <Sidebar />
          </Panel>
          <PanelResizeHandle className="resize-handle sidebar-handle" aria-label="Resize the sidebar" />
          <Panel id="workspace" order={1} minSize={50} className="main-panel">
            <main className="main" aria-label="Workspace">
              <TabBar />
              {/* Every tab stays mounted (a terminal keeps its screen); only the active one shows. */}
              {tabs.map((tab) => (
                <section key={tab.id} id={`panel-${tab.id}`} className="tab-content" role="tabpanel" tabIndex={-1} aria-labelledby={`tab-${tab.id}`} hidden={tab.id !== activeTabId}>
                  <TabView tab={tab} />
                </section>
              ))}
            </main>
          </Panel>
        </PanelGroup>
        {/* The bar(s) under the workspace; floating layers (transfers, toasts) keep clear of them. */}
        <div className="bottom-chrome" ref={bottomChrome}>
          <RecordingsNotice />
          <StatusBar />
        </div>
        <CredentialDialogs />
        <TransfersPanel />
        <DialogHost />
        {paletteOpen && <CommandPalette onClose={() => setPaletteOpen(false)} />}
        <Toaster theme={theme} />
      </div>
    </TooltipProvider>
  );
}
