import type { ErrorFilters, ErrorLevel } from "../types/monitoring";
import { defineListFilters, param } from "../lib/listPages";

const LEVELS: readonly ErrorLevel[] = ["ERROR", "CRITICAL"];

/** The error log's filters, order and paging in the page's address and the API's query. */
export const errorList = defineListFilters<ErrorFilters>({
  fields: {
    q: param.text(),
    level: param.choice(LEVELS),
    resolved: param.flag(),
    since: param.instant(),
    until: param.instant(),
  },
  orderings: {
    "-last_seen": "Last seen, newest first",
    last_seen: "Last seen, oldest first",
    "-first_seen": "First seen, newest first",
    first_seen: "First seen, oldest first",
    "-occurrences": "Most occurrences",
    level: "Critical first",
  },
  defaultOrdering: "-last_seen",
  keepsDefaultOrdering: true,
});

export const { parse: parseErrorFilters, toParams: errorFiltersToParams, isFiltered } = errorList;
