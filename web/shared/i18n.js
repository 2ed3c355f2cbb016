// @ts-check
/**
 * Labels in zh-CN (the default) and English. Each page adds its own messages with
 * `addMessages`; elements carry `data-i18n` (text), `data-i18n-label` (aria-label) or
 * `data-i18n-placeholder` and are filled by `translatePage`. The choice of language is a
 * preference kept in localStorage (unlike the token, which lives for the session only). The
 * domain's words (states, violations, kinds, events, decisions) come from vocabulary.js, the table
 * the exports share.
 */
import { vocabulary } from './vocabulary.js';

/** @typedef {'zh-CN' | 'en'} Language */

/** @type {Record<Language, Record<string, string>>} */
const messages = {
  'zh-CN': {
    ...vocabulary['zh-CN'],
    'app.name': '治违',
    'login.title': '登录',
    'login.token': '访问令牌',
    'login.submit': '登录',
    'login.hint': '令牌由管理员用 zhiwei tokens create 生成，仅保存在本次会话中。',
    'login.refused': '令牌无效或已撤销',
    'logout': '退出',
    'language': '语言',
    'loading': '加载中…',
    'error.network': '无法连接服务器',
    'action.triage': '研判', 'action.dismiss': '排除', 'action.dispatch': '派发', 'action.verify-illegal': '确认违法',
    'action.verify-legal': '确认合法', 'action.false-positive': '误报', 'action.start-disposal': '开始处置', 'action.reinspect': '复查',
    'action.close': '办结',
    'unit.m2': '平方米', 'unit.m': '米', 'unit.km': '公里',
  },
  en: {
    ...vocabulary.en,
    'app.name': 'zhiwei',
    'login.title': 'Sign in',
    'login.token': 'Access token',
    'login.submit': 'Sign in',
    'login.hint': 'An administrator makes tokens with zhiwei tokens create; this page keeps it for this session only.',
    'login.refused': 'The token is unknown or revoked',
    'logout': 'Sign out',
    'language': 'Language',
    'loading': 'Loading…',
    'error.network': 'The server cannot be reached',
    'action.triage': 'Triage', 'action.dismiss': 'Dismiss', 'action.dispatch': 'Dispatch', 'action.verify-illegal': 'Illegal',
    'action.verify-legal': 'Legal', 'action.false-positive': 'False positive', 'action.start-disposal': 'Start disposal',
    'action.reinspect': 'Re-inspect', 'action.close': 'Close',
    'unit.m2': 'm²', 'unit.m': 'm', 'unit.km': 'km',
  },
};

const storageKey = 'zhiwei.lang';

/** The language in use: `?lang=` first, then the stored preference, then zh-CN. @returns {Language} */
export function language() {
  const asked = new URLSearchParams(location.search).get('lang') ?? localStorage.getItem(storageKey);
  return asked === 'en' ? 'en' : 'zh-CN';
}

/** Keeps `lang` as the preference and re-labels the page. @param {Language} lang */
export function setLanguage(lang) {
  localStorage.setItem(storageKey, lang);
  translatePage();
}

/** Adds a page's messages. @param {Record<Language, Record<string, string>>} pageMessages */
export function addMessages(pageMessages) {
  Object.assign(messages['zh-CN'], pageMessages['zh-CN']);
  Object.assign(messages.en, pageMessages.en);
}

/**
 * The label for `key` in the language in use, with `{name}` placeholders filled; the key itself
 * when there is none (so a missing label shows, rather than an empty button).
 * @param {string} key
 * @param {Record<string, string | number>} [values]
 */
export function t(key, values = {}) {
  const text = messages[language()][key] ?? messages['zh-CN'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** Fills the labelled elements under `root` and sets the document language. @param {ParentNode} [root] */
export function translatePage(root = document) {
  document.documentElement.lang = language();
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(/** @type {string} */ (element.getAttribute('data-i18n')));
  for (const element of root.querySelectorAll('[data-i18n-label]')) element.setAttribute('aria-label', t(/** @type {string} */ (element.getAttribute('data-i18n-label'))));
  for (const element of root.querySelectorAll('[data-i18n-placeholder]')) element.setAttribute('placeholder', t(/** @type {string} */ (element.getAttribute('data-i18n-placeholder'))));
  document.dispatchEvent(new CustomEvent('zhiwei:language'));
}
