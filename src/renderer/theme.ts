import { useSyncExternalStore } from 'react';
import { useAppStore } from './stores/app-store';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

function subscribe(callback: () => void) {
  const media = query();
  media.addEventListener('change', callback);
  return () => media.removeEventListener('change', callback);
}

/** The theme in force: the user's choice, or the OS's when the choice is "system". */
export function useResolvedTheme(): 'light' | 'dark' {
  const choice = useAppStore((s) => s.theme);
  const osDark = useSyncExternalStore(subscribe, () => query().matches);
  return choice === 'system' ? (osDark ? 'dark' : 'light') : choice;
}
