/** The signed-in user's API tokens (`/api/auth/tokens/`): the schema's types (`api.gen.ts`). */
import { everyValue, type Schemas } from "./api";

export type ApiToken = Schemas["ApiToken"];
/** The answer to creating one: the only time its key (`token`) is shown. */
export type CreatedApiToken = Schemas["CreatedApiToken"];
export type ApiTokenInput = Schemas["ApiTokenRequest"];
export type TokenScope = Schemas["TokenScopeEnum"];

export const TOKEN_SCOPES = everyValue<TokenScope>()(["read", "write", "push"]);

export const SCOPE_LABELS: Record<TokenScope, string> = {
  read: "Read: GET only",
  write: "Write: what you may do",
  push: "Push: telemetry ingest only",
};
