// Hatch's own settings (not an account's Session Manager preferences): recordings,
// terminal, default engine, theme, and where the data lives. Each change is saved at once
// (main writes settings.json) and every open terminal follows.
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../api';
import type { CallResponse } from '../../shared/contract';
import { DEFAULT_FONT_FAMILY, type AppSettings, type EngineChoice } from '../../shared/domain/app-settings';
import { updateSettings, useSettings } from '../settings';
import { copyText } from '../actions';

function Row({ label, htmlFor, hint, children }: { label: string; htmlFor?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="settings-row">
      <label htmlFor={htmlFor}>{label}</label>
      <div className="settings-control">
        {children}
        {hint && <div className="dim small">{hint}</div>}
      </div>
    </div>
  );
}

/** A number field that saves when it holds a valid value, and says why when it does not. */
function NumberField({ id, value, min, max, unit, onSave }: { id: string; value: number; min: number; max: number; unit?: string; onSave(n: number): void }) {
  const [text, setText] = useState(String(value));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(String(value));
  }
  const n = Number(text);
  const error = text.trim() === '' || !Number.isInteger(n) || n < min || n > max ? `A whole number from ${min} to ${max}.` : null;
  return (
    <>
      <input
        id={id}
        inputMode="numeric"
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isInteger(v) && v >= min && v <= max) onSave(v);
        }}
      />
      {unit && <span className="dim"> {unit}</span>}
      {error && (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      )}
    </>
  );
}

function Check({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange(v: boolean): void }) {
  return (
    <div className="field-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

export function SettingsView() {
  const settings = useSettings((s) => s.settings);
  const dataDir = useSettings((s) => s.dataDir);
  const recordingsDir = useSettings((s) => s.recordingsDir);
  const [engines, setEngines] = useState<CallResponse<'sessions.engines'> | null>(null);
  useEffect(() => {
    void api.call('sessions.engines', {}).then(setEngines, () => undefined);
  }, []);
  const terminal = (patch: Partial<AppSettings['terminal']>) => void updateSettings({ terminal: patch });
  const recordings = (patch: Partial<AppSettings['recordings']>) => void updateSettings({ recordings: patch });
  const plugin = engines?.plugin;

  return (
    <div className="docs-view settings-view">
      <div className="docs-toolbar">
        <h1 className="docs-title">Settings</h1>
        <span className="dim">Hatch’s own settings, saved as you change them. Session Manager preferences of an account are under Preferences.</span>
      </div>
      <div className="settings">
        <section aria-labelledby="settings-recordings">
          <h2 id="settings-recordings">Recordings</h2>
          <Row label="Record sessions" hint={<>Each shell’s output is written to a file you can replay from Sessions. Off: nothing is written.</>}>
            <Check id="set-rec-enabled" label="Record what each shell shows" checked={settings.recordings.enabled} onChange={(enabled) => recordings({ enabled })} />
          </Row>
          <Row label="What is recorded">
            <Check
              id="set-rec-input"
              label="Also record what I type (passwords typed at a prompt included)"
              checked={settings.recordings.includeInput}
              onChange={(includeInput) => recordings({ includeInput })}
            />
          </Row>
          <Row label="Keep recordings for" htmlFor="set-rec-days" hint="0 keeps them until you delete them; older ones are deleted when Hatch starts.">
            <NumberField id="set-rec-days" value={settings.recordings.retentionDays} min={0} max={3650} unit="days" onSave={(retentionDays) => recordings({ retentionDays })} />
          </Row>
        </section>

        <section aria-labelledby="settings-terminal">
          <h2 id="settings-terminal">Terminal</h2>
          <Row label="Font" htmlFor="set-font" hint="A CSS font list; the first installed one is used.">
            <input id="set-font" className="mono" value={settings.terminal.fontFamily} onChange={(e) => terminal({ fontFamily: e.target.value || DEFAULT_FONT_FAMILY })} />
          </Row>
          <Row label="Font size" htmlFor="set-font-size" hint="Also Ctrl/⌘ + = and − in a terminal.">
            <NumberField id="set-font-size" value={settings.terminal.fontSize} min={8} max={32} unit="px" onSave={(fontSize) => terminal({ fontSize })} />
          </Row>
          <Row label="Scrollback" htmlFor="set-scrollback">
            <NumberField id="set-scrollback" value={settings.terminal.scrollback} min={0} max={200000} unit="lines" onSave={(scrollback) => terminal({ scrollback })} />
          </Row>
          <Row label="Cursor" htmlFor="set-cursor">
            <select id="set-cursor" value={settings.terminal.cursorStyle} onChange={(e) => terminal({ cursorStyle: e.target.value as AppSettings['terminal']['cursorStyle'] })}>
              <option value="block">Block</option>
              <option value="bar">Bar</option>
              <option value="underline">Underline</option>
            </select>{' '}
            <Check id="set-cursor-blink" label="Blink" checked={settings.terminal.cursorBlink} onChange={(cursorBlink) => terminal({ cursorBlink })} />
          </Row>
          <Row label="Selection">
            <Check id="set-copy-select" label="Copy selected text to the clipboard" checked={settings.terminal.copyOnSelect} onChange={(copyOnSelect) => terminal({ copyOnSelect })} />
          </Row>
          <Row label="Closing a tab">
            <Check id="set-confirm-close" label="Ask before closing a tab whose session is live" checked={settings.terminal.confirmClose} onChange={(confirmClose) => terminal({ confirmClose })} />
          </Row>
        </section>

        <section aria-labelledby="settings-sessions">
          <h2 id="settings-sessions">Sessions</h2>
          <Row
            label="Default engine"
            htmlFor="set-engine"
            hint={plugin ? (plugin.found ? `AWS session-manager-plugin ${plugin.version ?? ''} found at ${plugin.path}.` : `session-manager-plugin is not installed. ${plugin.installHint}`) : null}
          >
            <select id="set-engine" value={settings.defaultEngine} onChange={(e) => void updateSettings({ defaultEngine: e.target.value as EngineChoice })}>
              <option value="auto">Auto: AWS’s plugin when installed, else the built-in engine</option>
              <option value="native">Built-in engine</option>
              <option value="plugin" disabled={plugin ? !plugin.found : false}>
                AWS session-manager-plugin{plugin && !plugin.found ? ' (not installed)' : ''}
              </option>
            </select>
          </Row>
        </section>

        <section aria-labelledby="settings-appearance">
          <h2 id="settings-appearance">Appearance</h2>
          <Row label="Theme" htmlFor="set-theme">
            <select id="set-theme" value={settings.theme} onChange={(e) => void updateSettings({ theme: e.target.value as AppSettings['theme'] })}>
              <option value="system">Follow the system</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </Row>
        </section>

        <section aria-labelledby="settings-data">
          <h2 id="settings-data">Data</h2>
          <Row label="Data folder" hint="Settings (settings.json) and recordings (recordings/) live here; the AWS config files stay where the AWS CLI keeps them.">
            <span className="mono path">{dataDir ?? '…'}</span>{' '}
            <button type="button" disabled={!dataDir} onClick={() => dataDir && copyText(dataDir)}>
              Copy path
            </button>
          </Row>
          <Row label="Recordings folder">
            <span className="mono path">{recordingsDir ?? '…'}</span>
          </Row>
        </section>
      </div>
    </div>
  );
}
