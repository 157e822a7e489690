import { LABEL_FILTER_PATTERN, METRIC_NAME_PATTERN, RULE_STATES, SEVERITIES, type RuleFilters } from "../types/alerts";
import { defineListFilters, param } from "../lib/listPages";

/** The rule list's filters, order and paging in the page's address and the API's query. */
export const ruleList = defineListFilters<RuleFilters>({
  fields: {
    search: param.text(),
    is_active: param.flag(),
    severity: param.choice(SEVERITIES),
    metric_name: param.matching(METRIC_NAME_PATTERN),
    state: param.choice(RULE_STATES),
    label: param.matching(LABEL_FILTER_PATTERN),
  },
  orderings: {
    name: "Name",
    severity: "Most severe first",
    state: "State",
    metric_name: "Metric",
    "-updated_at": "Recently changed",
    "-last_evaluated_at": "Recently evaluated",
  },
  defaultOrdering: "name",
});

export const { parse: parseRuleFilters, toParams: ruleFiltersToParams, isFiltered: isRuleListFiltered } = ruleList;
