import { useEffect } from "react";

const APP_NAME = "Resee Alerts";

/** The browser tab's title, which screen readers announce on navigation. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);
}
