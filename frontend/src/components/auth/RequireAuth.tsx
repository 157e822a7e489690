import { Navigate, Outlet, useLocation } from "react-router";
import { SignedInUserContext } from "../../hooks/auth/signedInUser";
import { useCurrentUser } from "../../hooks/auth/useAuth";
import { loginPathFor } from "../../routes/paths";
import { ErrorState } from "../ui/ErrorState";
import { LoadingState } from "../ui/LoadingState";

/** Renders its routes for a signed-in user; sends anyone else to the login page and back. */
export function RequireAuth() {
  const location = useLocation();
  const { data: user, isPending, isError, error, refetch } = useCurrentUser();

  if (isPending) {
    return (
      <div className="fullpage">
        <LoadingState label="Loading…" />
      </div>
    );
  }
  if (isError) {
    // The server cannot say who is signed in: sending the user to log in would not help.
    return (
      <div className="fullpage">
        <ErrorState
          title="Resee Alerts is not answering"
          message={error.message}
          onRetry={() => void refetch()}
        />
      </div>
    );
  }
  if (!user) {
    return <Navigate to={loginPathFor(location.pathname + location.search + location.hash)} replace />;
  }
  return (
    <SignedInUserContext value={user}>
      <Outlet />
    </SignedInUserContext>
  );
}
