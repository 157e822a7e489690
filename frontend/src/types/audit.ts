/**
 * Types of the audit trail (`/api/audit/`) and of a rule's versions
 * (`/api/alerts/rules/{id}/versions/`), from the schema (`api.gen.ts`).
 */
import type { Schemas } from "./api";

/** One version of a rule: who changed it, when, from where, and each field's old and new value. */
export type RuleVersion = Schemas["RuleVersion"];

/** Where a change came from. */
export type ChangeSource = RuleVersion["source"];

/** One recorded change to the configuration. */
export type AuditEntry = Schemas["AuditEntry"];
