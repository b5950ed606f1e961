// Window-wide focus rules, so the keyboard never loses its place:
// - Tab and Shift+Tab stay inside the topmost open dialog (palette, modal, confirm).
// - When the focused element disappears (a dialog closes, the tab holding it is hidden,
//   its row goes away), focus goes back to where it was before the dialog opened, or
//   else to the active tab's main control (the node table, the terminal) or the tab
//   itself — never to <body>, where the next Tab would start over from the title bar.
import { useEffect } from 'react';

const MODAL = '.modal, .palette, [aria-modal="true"]';
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
/** What a tab's content offers first: marked explicitly, else a terminal's input. */
const PRIMARY = '[data-primary-focus], .xterm-helper-textarea';

const visible = (el: Element) => el.isConnected && (el as HTMLElement).checkVisibility?.() !== false;

export function topModal(): HTMLElement | null {
  const all = document.querySelectorAll<HTMLElement>(MODAL);
  for (let i = all.length - 1; i >= 0; i--) if (visible(all[i])) return all[i];
  return null;
}

export function focusablesIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => visible(el) && el.tabIndex >= 0);
}

/** The active tab's main control, or the tab panel itself. */
export function focusActiveTab(): void {
  const panel = document.querySelector<HTMLElement>('.tab-content:not([hidden])');
  if (!panel) return;
  const primary = [...panel.querySelectorAll<HTMLElement>(PRIMARY)].find(visible);
  (primary ?? panel).focus({ preventScroll: true });
}

export function useFocusManagement(): void {
  useEffect(() => {
    let lastOutside: HTMLElement | null = null;
    const onFocusIn = (event: FocusEvent) => {
      const target = event.target;
      if (target instanceof HTMLElement && !target.closest(MODAL)) lastOutside = target;
    };
    const onFocusOut = (event: FocusEvent) => {
      const lost = event.target;
      if (event.relatedTarget !== null || !(lost instanceof HTMLElement)) return;
      // Removed, hidden or disabled elements lose focus without a successor; a click on empty space
      // or a switch to another window leaves the element in place, and is left alone.
      setTimeout(() => {
        const gone = !visible(lost) || lost.matches(':disabled'); // e.g. a button busy after its click
        if (!gone || (document.activeElement && document.activeElement !== document.body)) return;
        const modal = topModal();
        if (modal) {
          (focusablesIn(modal)[0] ?? modal).focus();
        } else if (lastOutside && lastOutside !== lost && visible(lastOutside)) {
          lastOutside.focus({ preventScroll: true });
        } else {
          focusActiveTab();
        }
      }, 0);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Tab' || event.ctrlKey || event.altKey || event.metaKey) return;
      const modal = topModal();
      if (!modal) return;
      const list = focusablesIn(modal);
      if (list.length === 0) return;
      const index = list.indexOf(document.activeElement as HTMLElement);
      const next = index === -1 ? (event.shiftKey ? list.length - 1 : 0) : event.shiftKey ? (index === 0 ? list.length - 1 : -1) : index === list.length - 1 ? 0 : -1;
      if (next === -1) return; // inside the dialog and not at an end: the browser moves on
      event.preventDefault();
      list[next].focus();
    };
    document.addEventListener('focusin', onFocusIn, true);
    document.addEventListener('focusout', onFocusOut, true);
    window.addEventListener('keydown', onKeyDown, true);
    return () => {
      document.removeEventListener('focusin', onFocusIn, true);
      document.removeEventListener('focusout', onFocusOut, true);
      window.removeEventListener('keydown', onKeyDown, true);
    };
  }, []);
}
