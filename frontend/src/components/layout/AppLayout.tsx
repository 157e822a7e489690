import { useEffect, useId, useRef, useState } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";
import { PERMISSIONS, userCan } from "../../hooks/auth/permissions";
import { useSignedInUser } from "../../hooks/auth/signedInUser";
import { paths } from "../../routes/paths";
import { SelfHealthBanner } from "./SelfHealthBanner";
import { UserMenu } from "./UserMenu";

const SECTIONS = [
  { to: paths.dashboard, label: "Dashboard" },
  { to: paths.alerts, label: "Alerts" },
  { to: paths.rules, label: "Rules" },
  { to: paths.statistics, label: "Statistics" },
  { to: paths.integrations, label: "Integrations" },
  { to: paths.policies, label: "Policies" },
  { to: paths.silences, label: "Silences" },
  { to: paths.maintenanceWindows, label: "Maintenance" },
  { to: paths.checks, label: "Checks" },
  { to: paths.errors, label: "Error logs" },
  { to: paths.tokens, label: "Tokens" },
  // For those who may read the audit trail (managers, superusers).
  { to: paths.audit, label: "Audit", permission: PERMISSIONS.viewAudit },
] as const;

export function AppLayout() {
  const user = useSignedInUser();
  const { pathname } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const previousPath = useRef(pathname);
  const menuId = useId();
  // On a phone the sections sit behind a menu button. The menu is open on the page it was opened
  // on: moving to another page closes it, however the move happened (a link, Back).
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === pathname;

  // After moving between sections, put keyboard and screen-reader focus at the new content
  // instead of leaving it on the link that was used (not on the first load).
  useEffect(() => {
    if (pathname !== previousPath.current) {
      previousPath.current = pathname;
      mainRef.current?.focus();
    }
  }, [pathname]);

  // Escape closes the open menu wherever the focus is, and gives the focus back to its button.
  useEffect(() => {
    if (!menuOpen) return undefined;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setMenuOpenOn(null);
      menuButtonRef.current?.focus();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [menuOpen]);

  const closeMenu = () => {
    setMenuOpenOn(null);
  };

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
          <button
            ref={menuButtonRef}
            type="button"
            className="button button--secondary button--small menu-button"
            aria-expanded={menuOpen}
            aria-controls={menuId}
            onClick={() => {
              setMenuOpenOn(menuOpen ? null : pathname);
            }}
          >
            <span className="menu-button__icon" aria-hidden="true" />
            Menu
          </button>
          <div id={menuId} className={`topbar__menu${menuOpen ? " is-open" : ""}`}>
            <nav className="mainnav" aria-label="Main">
              <ul>
                {SECTIONS.filter((section) => !("permission" in section) || userCan(user, section.permission)).map((section) => (
                  <li key={section.to}>
                    <NavLink to={section.to} onClick={closeMenu}>
                      {section.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            <UserMenu />
          </div>
        </div>
      </header>
      <SelfHealthBanner />
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
