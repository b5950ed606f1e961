// Window-level UI state. Data from main arrives through HatchApi and is kept here;
// terminal bytes never pass through this store (xterm owns them).
import { create } from 'zustand';
import type { Notice, ProfileSummary, SystemInfo } from '../../shared/contract';

export type ThemeChoice = 'system' | 'light' | 'dark';

/** Tabs are a union of document kinds; later kinds (terminal, tunnels, preferences…) join it. */
export type Tab = { kind: 'nodes'; id: 'nodes'; title: string };

export interface AppState {
  systemInfo: SystemInfo | null;
  connectionError: string | null;
  profiles: ProfileSummary[];
  selectedProfile: string | null;
  tabs: Tab[];
  activeTabId: string;
  theme: ThemeChoice;
  notices: Array<Notice & { id: number }>;
  setSystemInfo(info: SystemInfo): void;
  setConnectionError(message: string | null): void;
  setProfiles(profiles: ProfileSummary[]): void;
  selectProfile(name: string): void;
  setTheme(theme: ThemeChoice): void;
  pushNotice(notice: Notice): void;
  dismissNotice(id: number): void;
}

const THEME_KEY = 'hatch.theme';
let noticeId = 0;

function storedTheme(): ThemeChoice {
  const value = globalThis.localStorage?.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export const useAppStore = create<AppState>((set, get) => ({
  systemInfo: null,
  connectionError: null,
  profiles: [],
  selectedProfile: null,
  tabs: [{ kind: 'nodes', id: 'nodes', title: 'Nodes' }],
  activeTabId: 'nodes',
  theme: storedTheme(),
  notices: [],
  setSystemInfo: (systemInfo) => set({ systemInfo }),
  setConnectionError: (connectionError) => set({ connectionError }),
  setProfiles: (profiles) => {
    const selected = get().selectedProfile;
    set({ profiles, selectedProfile: profiles.some((p) => p.name === selected) ? selected : (profiles[0]?.name ?? null) });
  },
  selectProfile: (selectedProfile) => set({ selectedProfile }),
  setTheme: (theme) => {
    globalThis.localStorage?.setItem(THEME_KEY, theme);
    set({ theme });
  },
  pushNotice: (notice) => set({ notices: [...get().notices, { ...notice, id: ++noticeId }] }),
  dismissNotice: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
}));
