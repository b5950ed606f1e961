// The app frame: title bar, profile sidebar, tabbed main area and status bar.
import { useEffect } from 'react';
import { api } from './api';
import { useAppStore } from './stores/app-store';
import { Sidebar } from './components/Sidebar';
import { StatusBar } from './components/StatusBar';
import { TabBar } from './components/TabBar';
import { TitleBar } from './components/TitleBar';
import { Notices } from './components/Notices';
import { NodesView } from './views/NodesView';
import { useResolvedTheme } from './theme';

export function App() {
  const activeTabId = useAppStore((s) => s.activeTabId);
  const theme = useResolvedTheme();

  useEffect(() => {
    const { setSystemInfo, setProfiles, setConnectionError, pushNotice } = useAppStore.getState();
    api.call('system.info', {}).then(setSystemInfo, (error: Error) => setConnectionError(error.message));
    api.call('profiles.list', {}).then(({ profiles }) => setProfiles(profiles), (error: Error) => setConnectionError(error.message));
    const offProfiles = api.on('profiles.changed', ({ profiles }) => setProfiles(profiles));
    const offNotice = api.on('system.notice', pushNotice);
    return () => {
      offProfiles();
      offNotice();
    };
  }, []);

  return (
    <div className="app" data-theme={theme}>
      <TitleBar />
      <div className="body">
        <Sidebar />
        <main className="main" aria-label="Workspace">
          <TabBar />
          <section className="tab-content" role="tabpanel" aria-labelledby={`tab-${activeTabId}`}>
            {activeTabId === 'nodes' && <NodesView />}
          </section>
        </main>
      </div>
      <StatusBar />
      <Notices />
    </div>
  );
}
