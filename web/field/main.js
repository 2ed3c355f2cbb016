// @ts-check
/**
 * The field page: `/field` lists the officer's open cases nearest first, `/field/:caseId` shows
 * one case and records the verdict. Waiting submissions are sent on every page load.
 */
import './messages.js';
import { t } from '../shared/i18n.js';
import { setUpPage, signIn } from '../shared/session.js';
import { showCase } from './case.js';
import { showCaseList } from './list.js';
import { onOutboxChange, pendingSubmissions, sendPending } from './outbox.js';

setUpPage();
const user = await signIn();
const status = /** @type {HTMLElement} */ (document.getElementById('outbox-status'));
const showOutbox = async () => {
  const waiting = (await pendingSubmissions()).filter((s) => !s.refused).length;
  status.textContent = waiting > 0 ? t('field.pending', { count: waiting }) : '';
};
onOutboxChange(() => void showOutbox());
document.addEventListener('zhiwei:language', () => void showOutbox());
void showOutbox();
void sendPending();

const caseId = /^\/field\/(\d+)\/?$/.exec(location.pathname)?.[1];
if (caseId) await showCase(Number(caseId), user);
else await showCaseList(user);
