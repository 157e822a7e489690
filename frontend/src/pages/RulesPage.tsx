import { Link, useLocation } from "react-router";
import { ruleList } from "../api/ruleFilters";
import { RuleFiltersForm } from "../components/alerts/RuleFiltersForm";
import { RuleTable } from "../components/alerts/RuleTable";
import { EmptyState } from "../components/ui/EmptyState";
import { ListPanel } from "../components/ui/ListPanel";
import { PagedList } from "../components/ui/PagedList";
import { useMetricCatalogue, useRules } from "../hooks/alerts/useRules";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { useListPage } from "../hooks/useListPage";
import { usePageTitle } from "../hooks/usePageTitle";
import { noticeFrom } from "../lib/listPages";
import { plural } from "../lib/text";
import { paths } from "../routes/paths";

/** The alert rules: what each watches, its state at the last evaluation, filters in the address. */
export function RulesPage() {
  usePageTitle("Rules");
  const can = useCan();
  const location = useLocation();
  const list = useListPage(ruleList);
  const rules = useRules(list.filters);
  const catalogue = useMetricCatalogue();
  const handedOver = noticeFrom(location.state);

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
        <RuleFiltersForm key={list.search} filters={list.filters} metrics={catalogue.data?.metrics} onApply={list.apply} />
        <ListPanel
          headingId="rule-list-heading"
          title={rules.data ? plural(rules.data.count, "rule") : "Rules"}
          busy={rules.isFetching}
          controls={list.controls}
        >
          <div role="status" className="outcome">
            {handedOver && <p className="notice notice--success">{handedOver}</p>}
          </div>
          <PagedList
            query={rules}
            what="the alert rules"
            loadingLabel="Loading the rules…"
            noun="rule"
            {...list.paging}
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
          >
            {(results, busy) => <RuleTable rules={results} metrics={catalogue.data?.metrics} busy={busy} />}
          </PagedList>
        </ListPanel>
      </div>
    </>
  );
}
