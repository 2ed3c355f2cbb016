// @ts-check
/**
 * The review actions of the case panel: one button per action the signed-in user may take from
 * the case's state (as `GET /api/v1/me` lists them), sent with the note. Dismissing needs a
 * reason: the form refuses to send a dismissal with an empty note.
 */
import { t } from '../shared/i18n.js';
import { api, ApiError } from '../shared/session.js';

/** @typedef {import('../shared/session.js').User} User */

/**
 * Wires the action form; `onDone` is called with the case id after an action was recorded.
 * @param {HTMLFormElement} form @param {(caseId: number) => void} onDone
 */
export function caseActions(form, onDone) {
  const note = /** @type {HTMLTextAreaElement} */ (form.querySelector('#action-note'));
  const buttons = /** @type {HTMLElement} */ (form.querySelector('#action-buttons'));
  const status = /** @type {HTMLElement} */ (form.querySelector('#action-status'));
  /** @type {{ id: number, state: string, actions: User['actions'] } | null} */
  let shown = null;
  /** The last action recorded on the case shown, for the status line. @type {{ action: string, state: string } | null} */
  let done = null;

  const render = () => {
    if (!shown) return;
    const { state, actions } = shown;
    const allowed = actions.filter((a) => a.from.includes(state));
    buttons.replaceChildren(
      ...allowed.map(({ action }) => {
        const button = Object.assign(document.createElement('button'), { type: 'submit', value: action, textContent: t(`action.${action}`) });
        if (action === 'dispatch') button.className = 'primary';
        if (action === 'dismiss') button.className = 'danger';
        return button;
      }),
    );
    if (allowed.length === 0) buttons.textContent = t('panel.no_actions');
    note.disabled = allowed.length === 0;
    status.textContent = done ? t('panel.done', { action: t(`action.${done.action}`), state: t(`state.${done.state}`) }) : '';
  };
  // runs before the form checks its fields, so the reason is required of a dismissal only
  buttons.addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button');
    if (button) note.setCustomValidity(button.value === 'dismiss' && !note.value.trim() ? t('panel.reason_required') : '');
  });
  note.addEventListener('input', () => note.setCustomValidity(''));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submitter = /** @type {HTMLButtonElement | null} */ (/** @type {SubmitEvent} */ (event).submitter);
    if (!shown || !submitter) return;
    const { id } = shown;
    const action = submitter.value;
    const text = note.value.trim();
    for (const button of buttons.querySelectorAll('button')) button.disabled = true;
    try {
      const { case: moved } = await api(`/api/v1/cases/${id}/${action}`, { json: text ? { note: text } : {} });
      note.value = '';
      done = { action, state: moved.state };
      onDone(id);
    } catch (err) {
      render();
      status.textContent = err instanceof ApiError ? err.message : t('error.network');
    }
  });
  document.addEventListener('zhiwei:language', render);
  return {
    /** Offers the actions `user` may take on a case in `state`. @param {number} id @param {string} state @param {User} user */
    show(id, state, user) {
      if (shown?.id !== id) done = null;
      shown = { id, state, actions: user.actions };
      render();
    },
  };
}
