import { useEffect, useRef } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";
import { useSignedInUser } from "../../hooks/auth/signedInUser";
import { paths } from "../../routes/paths";
import { UserMenu } from "./UserMenu";

const SECTIONS = [
  { to: paths.dashboard, label: "Dashboard" },
  { to: paths.alerts, label: "Alerts" },
  { to: paths.rules, label: "Rules" },
  { to: paths.statistics, label: "Statistics" },
  { to: paths.integrations, label: "Integrations" },
  { to: paths.errors, label: "Error logs" },
] as const;

export function AppLayout() {
  const user = useSignedInUser();
  const { pathname } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const previousPath = useRef(pathname);

  // After moving between sections, put keyboard and screen-reader focus at the new content
  // instead of leaving it on the link that was used (not on the first load).
  useEffect(() => {
    if (pathname !== previousPath.current) {
      previousPath.current = pathname;
      mainRef.current?.focus();
    }
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="topbar">
        <div className="topbar__inner container">
          <Link to={paths.dashboard} className="brand">
            <img className="brand__mark" src="/favicon.svg" alt="" width="28" height="28" />
            Resee Alerts
          </Link>
          <nav className="mainnav" aria-label="Main">
            <ul>
              {SECTIONS.map((section) => (
                <li key={section.to}>
                  <NavLink to={section.to}>{section.label}</NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <UserMenu />
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="container main">
        <Outlet />
      </main>
      <footer className="footer">
        <div className="container">
          Resee Alerts
          {user.is_staff && (
            <>
              {" · "}
              <a href="/admin/">Administration</a>
            </>
          )}
        </div>
      </footer>
    </div>
  );
}
