import { Link, useLocation } from "react-router";
import { usePageTitle } from "../hooks/usePageTitle";
import { paths } from "../routes/paths";

export function NotFoundPage() {
  usePageTitle("Page not found");
  const { pathname } = useLocation();

  return (
    <div className="page-header">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>. <Link to={paths.dashboard}>Go to the dashboard</Link>.
      </p>
    </div>
  );
}
