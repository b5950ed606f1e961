// Notifications (sonner): errors and notices in the corner, each with what to do next.
// The same message is shown once: a repeat replaces the toast instead of stacking.
import { Toaster as Sonner, toast } from 'sonner';
import type { Notice } from '../../shared/contract';

export function notify(notice: Notice): void {
  const options = { id: `${notice.level}:${notice.message}`, description: notice.action ?? undefined, duration: notice.level === 'error' ? 12_000 : 6_000 };
  if (notice.level === 'error') toast.error(notice.message, options);
  else if (notice.level === 'warning') toast.warning(notice.message, options);
  else toast.info(notice.message, options);
}

export function Toaster({ theme }: { theme: 'light' | 'dark' }) {
  return <Sonner theme={theme} position="bottom-right" offset={{ bottom: 'calc(var(--bottom-chrome, 24px) + 12px)', right: 12 }} closeButton visibleToasts={4} toastOptions={{ className: 'toast' }} />;
}
