// First run: shells are recorded to disk. Say so once, where, and how to turn it off.
// A bar, not a dialog: it must not stand between a new user and the first session.
import { useSettings, updateSettings } from '../settings';
import { useAppStore } from '../stores/app-store';

export function RecordingsNotice() {
  const loaded = useSettings((s) => s.loaded);
  const seen = useSettings((s) => s.settings.recordingsNoticeSeen);
  const enabled = useSettings((s) => s.settings.recordings.enabled);
  const dir = useSettings((s) => s.recordingsDir);
  const days = useSettings((s) => s.settings.recordings.retentionDays);
  if (!loaded || seen || !enabled) return null;
  return (
    <div className="recordings-notice" role="region" aria-label="Recordings notice">
      <span>
        Hatch records what each shell shows (not what you type) to <span className="mono">{dir}</span>, so you can replay it from Sessions. {days > 0 ? `Kept ${days} days.` : "Kept until you delete them."}
      </span>
      <button type="button" onClick={() => void updateSettings({ recordingsNoticeSeen: true })}>
        Keep recording
      </button>
      <button type="button" onClick={() => void updateSettings({ recordingsNoticeSeen: true, recordings: { enabled: false } })}>
        Turn recordings off
      </button>
      <button
        type="button"
        className="link-button"
        onClick={() => {
          void updateSettings({ recordingsNoticeSeen: true });
          useAppStore.getState().openView('settings');
        }}
      >
        Settings…
      </button>
    </div>
  );
}
