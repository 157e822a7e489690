import { useSignedInUser } from "../../hooks/auth/signedInUser";
import { useLogout } from "../../hooks/auth/useAuth";

export function UserMenu() {
  const user = useSignedInUser();
  const logout = useLogout();

  return (
    <div className="user-menu">
      <span className="user-menu__name">
        <span className="visually-hidden">Signed in as </span>
        {user.username}
      </span>
      <button
        type="button"
        className="button button--secondary button--small"
        aria-busy={logout.isPending}
        onClick={() => {
          if (!logout.isPending) {
            logout.mutate();
          }
        }}
      >
        {logout.isPending ? "Signing out…" : "Sign out"}
      </button>
      {logout.isError && (
        <p className="user-menu__error" role="alert">
          Could not sign out: {logout.error.message}
        </p>
      )}
    </div>
  );
}
