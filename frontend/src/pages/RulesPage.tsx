import { useMemo } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { RuleFiltersForm } from "../components/alerts/RuleFiltersForm";
import { RuleTable } from "../components/alerts/RuleTable";
import { EmptyState } from "../components/ui/EmptyState";
import { ListControls } from "../components/ui/ListControls";
import { PagedList } from "../components/ui/PagedList";
import { useMetricCatalogue, useRules } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { DEFAULT_RULE_PAGE_SIZE, isRuleListFiltered, parseRuleFilters, ruleFiltersToParams } from "../lib/ruleFilters";
import { noticeFrom, withoutPage } from "../lib/listPages";
import { plural } from "../lib/text";
import { paths } from "../routes/paths";
import type { RuleFilters, RuleOrdering } from "../types/alerts";

const ORDERINGS: readonly { value: RuleOrdering; label: string }[] = [
  { value: "name", label: "Name" },
  { value: "severity", label: "Most severe first" },
  { value: "state", label: "State" },
  { value: "metric_name", label: "Metric" },
  { value: "-updated_at", label: "Recently changed" },
  { value: "-last_evaluated_at", label: "Recently evaluated" },
];
const PAGE_SIZES = [25, 50, 100] as const;

/** The alert rules: what each watches, its state at the last evaluation, filters in the address. */
export function RulesPage() {
  usePageTitle("Rules");
  const can = useCan();
  const location = useLocation();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => parseRuleFilters(searchParams), [searchParams]);
  const listSearch = ruleFiltersToParams(filters).toString();
  const rules = useRules(filters);
  const catalogue = useMetricCatalogue();
  const handedOver = noticeFrom(location.state);

  const apply = (next: RuleFilters) => {
    setSearchParams(ruleFiltersToParams(next));
  };

  return (
    <>
      <div className="page-header page-header--split">
        <div className="page-header__text">
          <h1>Rules</h1>
          <p className="muted">Each rule watches one metric every minute and opens an alert when it crosses its threshold.</p>
        </div>
        {can(PERMISSIONS.addRules) && (
          <Link to={paths.ruleNew} className="button button--primary">
            New rule
          </Link>
        )}
      </div>
      <div className="page-sections">
        <RuleFiltersForm key={listSearch} filters={filters} metrics={catalogue.data?.metrics} onApply={apply} />
        <section className="panel" aria-labelledby="rule-list-heading" aria-busy={rules.isFetching}>
          <div className="panel__header">
            <h2 id="rule-list-heading" className="panel__title">
              {rules.data ? plural(rules.data.count, "rule") : "Rules"}
            </h2>
            <ListControls
              ordering={filters.ordering ?? "name"}
              orderings={ORDERINGS}
              onOrderingChange={(ordering) => {
                apply({ ...withoutPage(filters), ordering });
              }}
              pageSize={filters.page_size ?? DEFAULT_RULE_PAGE_SIZE}
              pageSizes={PAGE_SIZES}
              onPageSizeChange={(size) => {
                apply({ ...withoutPage(filters), page_size: size });
              }}
            />
          </div>
          <div role="status" className="outcome">
            {handedOver && <p className="notice notice--success">{handedOver}</p>}
          </div>
          <PagedList
            query={rules}
            what="the alert rules"
            loadingLabel="Loading the rules…"
            noun="rule"
            page={filters.page ?? 1}
            pageSize={filters.page_size ?? DEFAULT_RULE_PAGE_SIZE}
            filtered={isRuleListFiltered(filters)}
            noMatchTitle="No rules match these filters."
            empty={
              <EmptyState title="There are no alert rules yet.">
                <p className="muted">A rule watches one metric and opens an alert when it crosses a threshold.</p>
                {can(PERMISSIONS.addRules) && (
                  <Link to={paths.ruleNew} className="button button--primary">
                    Create the first rule
                  </Link>
                )}
              </EmptyState>
            }
            onPageChange={(page) => {
              apply({ ...filters, page });
            }}
            onFirstPage={() => {
              apply(withoutPage(filters));
            }}
            onClearFilters={() => {
              apply({});
            }}
          >
            {(results, busy) => <RuleTable rules={results} metrics={catalogue.data?.metrics} busy={busy} />}
          </PagedList>
        </section>
      </div>
    </>
  );
}
