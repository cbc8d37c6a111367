// How a payment attempt looks to the cashier: each outcome distinct in colour, icon AND words,
// with what to do next. Pure, so it is unit-tested.

import type { AttemptView } from "./api";
import type { MessageKey, Params } from "./i18n";
import { formatMoney } from "./money";

export type Tone = "waiting" | "success" | "warning" | "error" | "info";

export interface OutcomeView {
  tone: Tone;
  icon: string;
  title: MessageKey;
  next: MessageKey;
  params: Params;
  /** Retry (send again) makes sense. */
  retry: boolean;
}

export function outcomeView(a: AttemptView, reasonUnknown: string): OutcomeView {
  const reason = a.reason !== null && a.reason.trim() !== "" ? a.reason.trim() : reasonUnknown;
  const sentence = /[.!?]$/.test(reason) ? reason : `${reason}.`;
  switch (a.state) {
    case "pending":
      return { tone: "waiting", icon: "⏳", title: "stk_waiting", next: "stk_waiting", params: {}, retry: false };
    case "confirmed":
      return {
        tone: "success",
        icon: "✔",
        title: "outcome_confirmed",
        next: "outcome_confirmed_next",
        params: { amount: formatMoney(a.amount) },
        retry: false,
      };
    case "cancelled":
      return { tone: "warning", icon: "✖", title: "outcome_cancelled", next: "outcome_cancelled_next", params: {}, retry: true };
    case "timed_out":
      return { tone: "warning", icon: "⌛", title: "outcome_timed_out", next: "outcome_timed_out_next", params: {}, retry: true };
    case "failed":
      return { tone: "error", icon: "⚠", title: "outcome_failed", next: "outcome_failed_next", params: { reason: sentence }, retry: true };
    case "unreachable":
      return {
        tone: "error",
        icon: "⚠",
        title: "outcome_unreachable",
        next: "outcome_unreachable_next",
        params: { reason: sentence },
        retry: true,
      };
    case "expired":
      return { tone: "warning", icon: "⌛", title: "outcome_expired", next: "outcome_expired_next", params: {}, retry: true };
    case "stopped":
      return { tone: "info", icon: "ℹ", title: "stopped_title", next: "stopped_body", params: {}, retry: true };
  }
}

/** Whole seconds until the attempt's deadline (never negative). */
export function secondsLeft(a: AttemptView, nowMs: number): number {
  const ms = a.deadline_ms - nowMs;
  if (ms <= 0) return 0;
  return Math.ceil(ms / 1000);
}

/** "1:05" for 65 seconds. */
export function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/**
 * The prompts still on the training customer's phone after an `attempt-changed` event, newest
 * first. A prompt stays on a real phone until the customer answers it or it expires: the till
 * "stopping waiting" does not take it off, so a stopped attempt can still be approved late
 * (and that late payment is what the register and manager views must handle).
 */
export function phonePrompts(prompts: AttemptView[], changed: AttemptView): AttemptView[] {
  const rest = prompts.filter((p) => p.attempt_id !== changed.attempt_id);
  const onPhone = changed.state === "pending" || changed.state === "stopped";
  return onPhone ? [changed, ...rest] : rest;
}
