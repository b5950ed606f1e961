import { useAppStore } from '../stores/app-store';

export function TabBar() {
  const tabs = useAppStore((s) => s.tabs);
  const activeTabId = useAppStore((s) => s.activeTabId);
  return (
    <div className="tabbar" role="tablist" aria-label="Open tabs">
      {tabs.map((tab) => (
        <button
          key={tab.id}
          id={`tab-${tab.id}`}
          type="button"
          role="tab"
          aria-selected={tab.id === activeTabId}
          className={tab.id === activeTabId ? 'tab active' : 'tab'}
          onClick={() => useAppStore.setState({ activeTabId: tab.id })}
        >
          {tab.title}
        </button>
      ))}
    </div>
  );
}
