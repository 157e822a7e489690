import { ALERT_STATUSES, LABEL_FILTER_PATTERN, SEVERITIES, type AlertFilters } from "../types/alerts";
import { defineListFilters, param } from "../lib/listPages";

/** The alert history's filters, order and paging in the page's address and the API's query. */
export const alertList = defineListFilters<AlertFilters>({
  fields: {
    search: param.text(),
    status: param.choice(ALERT_STATUSES),
    severity: param.choice(SEVERITIES),
    rule: param.id(),
    since: param.instant(),
    until: param.instant(),
    label: param.matching(LABEL_FILTER_PATTERN),
    acknowledged: param.flag(),
    silenced: param.flag(),
    inhibited: param.flag(),
    flapping: param.flag(),
  },
  orderings: {
    "-triggered_at": "Newest first",
    triggered_at: "Oldest first",
    "severity,-triggered_at": "Most severe first",
    "-resolved_at": "Recently resolved",
  },
  defaultOrdering: "-triggered_at",
});

export const { parse: parseAlertFilters, toParams: alertFiltersToParams, isFiltered: isAlertListFiltered } = alertList;
