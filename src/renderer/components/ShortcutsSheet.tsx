// Every key the app answers (F1, ?, or "Keyboard shortcuts" in the palette).
import { Modal, ModalActions } from '../ui/Modal';
import { shortcutList } from '../shortcuts';
import { useAppStore } from '../stores/app-store';

export function ShortcutsSheet({ onClose }: { onClose(): void }) {
  const host = useAppStore((s) => s.systemInfo?.host ?? null);
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} size="wide">
      {host === 'web' && <p className="dim">In a browser, Ctrl+T, Ctrl+W and Ctrl+Tab belong to the browser: use the Alt+Shift keys beside them.</p>}
      <div className="shortcuts">
        {shortcutList(host).map((group) => (
          <section key={group.group} aria-label={group.group}>
            <h3>{group.group}</h3>
            <dl>
              {group.lines.map((line) => (
                <div key={line.what}>
                  <dt>
                    {line.keys.map((k) => (
                      <kbd key={k}>{k}</kbd>
                    ))}
                  </dt>
                  <dd>{line.what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <ModalActions>
        <button type="button" className="primary" autoFocus onClick={onClose}>
          Close
        </button>
      </ModalActions>
    </Modal>
  );
}
