import { useMemo } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { ApiError } from "../api/client";
import { RuleFiltersForm } from "../components/alerts/RuleFiltersForm";
import { RuleTable } from "../components/alerts/RuleTable";
import { EmptyState } from "../components/ui/EmptyState";
import { ErrorState } from "../components/ui/ErrorState";
import { ListControls } from "../components/ui/ListControls";
import { LoadingState } from "../components/ui/LoadingState";
import { Pagination } from "../components/ui/Pagination";
import { QueryError } from "../components/ui/QueryError";
import { useMetricCatalogue, useRules } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { DEFAULT_RULE_PAGE_SIZE, isRuleListFiltered, parseRuleFilters, ruleFiltersToParams } from "../lib/ruleFilters";
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

function withoutPage(filters: RuleFilters): RuleFilters {
  const next = { ...filters };
  delete next.page;
  return next;
}

function noticeFrom(state: unknown): string | null {
  if (typeof state === "object" && state !== null && "notice" in state && typeof state.notice === "string") {
    return state.notice;
  }
  return null;
}

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

  let body;
  if (rules.isPending) {
    body = <LoadingState label="Loading the rules…" />;
  } else if (rules.isError && !rules.data) {
    const pageGone = rules.error instanceof ApiError && rules.error.status === 404 && (filters.page ?? 1) > 1;
    body = pageGone ? (
      <ErrorState
        title="This page of the rules does not exist"
        message="The list is shorter than it was when this link was made."
        onRetry={() => {
          apply(withoutPage(filters));
        }}
      />
    ) : (
      <QueryError error={rules.error} what="the alert rules" onRetry={() => void rules.refetch()} />
    );
  } else if (rules.data.count === 0) {
    body = isRuleListFiltered(filters) ? (
      <EmptyState title="No rules match these filters.">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            apply({});
          }}
        >
          Clear filters
        </button>
      </EmptyState>
    ) : (
      <EmptyState title="There are no alert rules yet.">
        <p className="muted">A rule watches one metric and opens an alert when it crosses a threshold.</p>
        {can(PERMISSIONS.addRules) && (
          <Link to={paths.ruleNew} className="button button--primary">
            Create the first rule
          </Link>
        )}
      </EmptyState>
    );
  } else {
    body = (
      <>
        {rules.isError && (
          <p className="notice notice--warning" role="alert">
            The last refresh failed ({rules.error.message}). Showing the previous list.
          </p>
        )}
        <RuleTable rules={rules.data.results} metrics={catalogue.data?.metrics} busy={rules.isPlaceholderData} />
        <Pagination
          page={filters.page ?? 1}
          pageSize={filters.page_size ?? DEFAULT_RULE_PAGE_SIZE}
          count={rules.data.count}
          shown={rules.data.results.length}
          noun="rule"
          onPageChange={(page) => {
            apply({ ...filters, page });
          }}
        />
      </>
    );
  }

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
          {body}
        </section>
      </div>
    </>
  );
}
