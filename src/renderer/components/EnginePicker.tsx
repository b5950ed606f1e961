// Which engine a profile's new sessions use, with what is installed.
import { useEffect, useState } from 'react';
import { api } from '../api';
import type { CallResponse } from '../../shared/contract';
import type { EngineChoice } from '../../shared/domain/app-settings';

export function EnginePicker({ value, onChange }: { value: EngineChoice; onChange(engine: EngineChoice): void }) {
  const [engines, setEngines] = useState<CallResponse<'sessions.engines'> | null>(null);
  useEffect(() => {
    void api.call('sessions.engines', {}).then(setEngines, () => undefined);
  }, []);
  const plugin = engines?.plugin;
  const autoLabel = plugin ? (plugin.found ? `Auto (AWS plugin ${plugin.version})` : 'Auto (built-in engine)') : 'Auto';
  return (
    <label className="engine-picker" title={plugin && !plugin.found ? `session-manager-plugin not found. ${plugin.installHint}` : undefined}>
      Engine{' '}
      <select aria-label="Session engine" value={value} onChange={(e) => onChange(e.target.value as EngineChoice)}>
        <option value="auto">{autoLabel}</option>
        <option value="native">Built-in engine</option>
        <option value="plugin" disabled={plugin ? !plugin.found : false}>
          AWS session-manager-plugin{plugin && !plugin.found ? ' (not installed)' : ''}
        </option>
      </select>
    </label>
  );
}
