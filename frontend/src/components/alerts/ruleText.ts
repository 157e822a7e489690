/** How the alerts area writes a rule's condition, state and the engine's verdict in sentences. */
import type { AlertRule, Condition, EngineAction } from "../../types/alerts";

export const CONDITION_WORDS: Record<Condition, string> = {
  gt: "above",
  gte: "at or above",
  lt: "below",
  lte: "at or below",
  eq: "equal to",
  ne: "not equal to",
};

/**
 * Why a rule stands where it does, in a sentence, or "": the engine's reason (what limit holds a
 * suppressed rule back and until when, why there is no data), else the error of a rule in error.
 * A suppressed rule is never left without one: it is the state that looks most like a mistake.
 */
export function ruleStateNote(rule: Pick<AlertRule, "state" | "state_reason" | "last_error">): string {
  if (rule.state_reason) return rule.state_reason;
  if (rule.state === "error") return rule.last_error;
  if (rule.state === "suppressed") return "The condition holds, but a limit holds a new alert back.";
  return "";
}

/** What the engine would do, in a sentence. */
export const ACTION_TEXT: Record<EngineAction, string> = {
  fire: "Would fire: open an alert and notify its channels.",
  remind: "Still firing: a reminder is due.",
  resolve: "Back to normal: the open alert would be resolved.",
  update: "Still firing: the open alert stays open (no reminder due).",
  none: "Would do nothing.",
  suppressed: "The condition holds, but a limit holds the alert back.",
};
