// A dialog's one async action: busy while it runs, its failure as text (message and next
// step), cleared when it is tried again.
import { useState } from 'react';
import { errorText } from '../components/view-helpers';

export function useBusyAction(): { busy: boolean; error: string | null; setError(error: string | null): void; run(action: () => Promise<void>): Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
