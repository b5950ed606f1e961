// Where focus goes when the focused element disappears (its tab is hidden, its row goes
// away, a button turns busy): back to where it was before, or to the active tab's main
// control (the node table, the terminal) — never to <body>, where the next Tab would start
// over from the title bar. Dialogs trap and return focus themselves (Radix, ui/Modal.tsx).
import { useEffect } from 'react';

/** What a tab's content offers first: marked explicitly, else a terminal's input. */
const PRIMARY = '[data-primary-focus], .xterm-helper-textarea';
const DIALOG = '[role="dialog"], [role="alertdialog"]';

const visible = (el: Element) => el.isConnected && (el as HTMLElement).checkVisibility?.() !== false;

/** The active tab's main control, or the tab panel itself. */
export function focusActiveTab(): void {
  const panel = document.querySelector<HTMLElement>('.tab-content:not([hidden])');
  if (!panel) return;
  const primary = [...panel.querySelectorAll<HTMLElement>(PRIMARY)].find(visible);
  (primary ?? panel).focus({ preventScroll: true });
}

export function useFocusRecovery(): void {
  useEffect(() => {
    let lastOutside: HTMLElement | null = null;
    const onFocusIn = (event: FocusEvent) => {
      const target = event.target;
      if (target instanceof HTMLElement && !target.closest(DIALOG)) lastOutside = target;
    };
    const onFocusOut = (event: FocusEvent) => {
      const lost = event.target;
      if (event.relatedTarget !== null || !(lost instanceof HTMLElement)) return;
      // Removed, hidden or disabled elements lose focus without a successor; a click on empty space
      // or a switch to another window leaves the element in place, and is left alone.
      setTimeout(() => {
        const gone = !visible(lost) || lost.matches(':disabled');
        if (!gone || (document.activeElement && document.activeElement !== document.body)) return;
        if (document.querySelector(DIALOG)) return; // an open dialog keeps its own focus
        if (lastOutside && lastOutside !== lost && visible(lastOutside)) lastOutside.focus({ preventScroll: true });
        else focusActiveTab();
      }, 0);
    };
    document.addEventListener('focusin', onFocusIn, true);
    document.addEventListener('focusout', onFocusOut, true);
    return () => {
      document.removeEventListener('focusin', onFocusIn, true);
      document.removeEventListener('focusout', onFocusOut, true);
    };
  }, []);
}
