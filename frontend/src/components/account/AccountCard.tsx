import type { User } from "../../types/auth";

function roleOf(user: User): string {
  if (user.is_superuser) return "Administrator";
  if (user.is_staff) return "Staff";
  return "Operator";
}

export function AccountCard({ user }: { user: User }) {
  return (
    <section className="panel" aria-labelledby="account-heading">
      <div className="panel__header">
        <h2 id="account-heading" className="panel__title">
          Signed in
        </h2>
      </div>
      <dl className="facts">
        <div>
          <dt>User name</dt>
          <dd>{user.username}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{user.email || <span className="muted">none</span>}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{roleOf(user)}</dd>
        </div>
      </dl>
    </section>
  );
}
