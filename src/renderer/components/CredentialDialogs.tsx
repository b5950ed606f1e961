// MFA codes and IAM Identity Center sign-in are asked here, never in a terminal.
import { useEffect, useState } from 'react';
import type { MfaPrompt, SsoDeviceCode } from '../../shared/domain/profiles';
import { api } from '../api';
import { Modal, ModalActions } from '../ui/Modal';

export function CredentialDialogs() {
  const [mfa, setMfa] = useState<MfaPrompt[]>([]);
  const [sso, setSso] = useState<SsoDeviceCode | null>(null);

  useEffect(() => {
    void api.call('credentials.pendingMfa', {}).then(({ prompts }) => setMfa(prompts), () => undefined);
    const offs = [
      api.on('credentials.mfaRequested', (prompt) => setMfa((list) => [...list, prompt])),
      api.on('credentials.mfaSettled', ({ requestId }) => setMfa((list) => list.filter((p) => p.requestId !== requestId))),
      api.on('credentials.ssoDeviceCode', setSso),
      api.on('credentials.ssoDone', () => setSso(null)),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  const current = mfa[0];
  return (
    <>
      {current && <MfaDialog key={current.requestId} prompt={current} />}
      {sso && (
        <Modal title={`Sign in to ${sso.profile}`} dismissable={false} onClose={() => setSso(null)}>
            <p>
              Open <a href={sso.verificationUriComplete ?? sso.verificationUri} target="_blank" rel="noreferrer">{sso.verificationUri}</a> and confirm this code:
            </p>
            <p className="device-code" aria-label="Device code">
              {sso.userCode}
            </p>
            <p className="dim">Hatch continues by itself once you have confirmed. The code expires at {new Date(sso.expiresAt).toLocaleTimeString()}.</p>
            <ModalActions>
              <button type="button" onClick={() => void navigator.clipboard?.writeText(sso.userCode)}>
                Copy code
              </button>
              <button type="button" onClick={() => setSso(null)}>
                Hide
              </button>
            </ModalActions>
        </Modal>
      )}
    </>
  );
}

function MfaDialog({ prompt }: { prompt: MfaPrompt }) {
  const [code, setCode] = useState('');
  const answer = (value: string | null) => void api.call('credentials.answerMfa', { requestId: prompt.requestId, code: value }).catch(() => undefined);
  const valid = /^\d{6}$/.test(code);
  return (
    <Modal
      title={`MFA code for ${prompt.profile}`}
      dismissable={false}
      onClose={() => answer(null)}
      onSubmit={() => {
        if (valid) answer(code);
      }}
    >
        <p className="dim">Device {prompt.serial}</p>
        <input
          autoFocus
          inputMode="numeric"
          autoComplete="one-time-code"
          aria-label="MFA code"
          maxLength={6}
          value={code}
          onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
        />
        <ModalActions>
          <button type="button" onClick={() => answer(null)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!valid}>
            Continue
          </button>
        </ModalActions>
    </Modal>
  );
}
