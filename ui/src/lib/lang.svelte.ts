// The current language (the logged-in cashier's, else the shop's), as reactive state, and the
// `t` every component uses. Reading `t(...)` in markup re-renders when the language changes.

import type { Language } from "./api";
import { errorText, translate, type MessageKey, type Params } from "./i18n";

const current = $state<{ lang: Language }>({ lang: "en" });

export function setLanguage(lang: Language): void {
  current.lang = lang;
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

export function language(): Language {
  return current.lang;
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current.lang, key, params);
}

export function te(err: unknown): string {
  return errorText(current.lang, err);
}
