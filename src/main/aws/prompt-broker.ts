// CredentialPrompts over events: an MFA request goes out as an event with a request id,
// and the UI's answer comes back through a call. Pending prompts time out and can be
// cancelled, so a credential resolution never hangs forever.
import { randomUUID } from 'node:crypto';
import type { MfaAnswer, MfaPrompt, SsoDeviceCode } from '../../shared/domain/profiles';
import type { CredentialPrompts } from './credentials';

interface PromptEvents {
  mfaRequested(prompt: MfaPrompt): void;
  /** The request was answered, cancelled or timed out (the UI closes its dialog). */
  mfaSettled?(requestId: string): void;
  ssoDeviceCode(code: SsoDeviceCode): void;
  ssoDone?(profile: string, outcome: 'signed-in' | 'failed'): void;
}

interface Pending {
  resolve(code: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  prompt: MfaPrompt;
}

export class PromptBroker implements CredentialPrompts {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly events: PromptEvents,
    private readonly timeoutMs = 5 * 60_000,
  ) {}

  askMfaCode(profile: string, serial: string): Promise<string> {
    const requestId = randomUUID();
    const prompt: MfaPrompt = { requestId, profile, serial };
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(requestId, new Error('no MFA code was entered in time')), this.timeoutMs);
      timer.unref?.();
      this.pending.set(requestId, { resolve, reject, timer, prompt });
      this.events.mfaRequested(prompt);
    });
  }

  /** The UI's answer; false if the request is unknown (already answered or timed out). */
  answerMfa(answer: MfaAnswer): boolean {
    if (!this.pending.has(answer.requestId)) return false;
    this.settle(answer.requestId, answer.code === null ? new Error('cancelled') : answer.code);
    return true;
  }

  /** Prompts still waiting (a renderer that reloads asks again). */
  pendingPrompts(): MfaPrompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  showSsoDeviceCode(code: SsoDeviceCode): void {
    this.events.ssoDeviceCode(code);
  }

  ssoDeviceCodeDone(profile: string, outcome: 'signed-in' | 'failed'): void {
    this.events.ssoDone?.(profile, outcome);
  }

  dispose(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, new Error('Hatch is closing'));
  }

  private settle(requestId: string, outcome: string | Error): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
    this.events.mfaSettled?.(requestId);
  }
}
