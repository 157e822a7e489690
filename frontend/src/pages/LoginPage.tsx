import { useEffect, useRef, useState, type SubmitEvent } from "react";
import { Navigate, useSearchParams } from "react-router";
import { FormField } from "../components/auth/FormField";
import { useCurrentUser, useLogin } from "../hooks/auth/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { safeNextPath } from "../routes/paths";

export function LoginPage() {
  usePageTitle("Sign in");
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get("next"));
  const { data: user } = useCurrentUser();
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    usernameRef.current?.focus();
  }, []);

  // After a refusal, focus goes where the user has to act: the first field the server named, or
  // the password, which is what is usually wrong.
  const { error } = login;
  useEffect(() => {
    if (!error) return;
    if (error.fieldErrors.username) {
      usernameRef.current?.focus();
    } else {
      passwordRef.current?.focus();
      passwordRef.current?.select();
    }
  }, [error]);

  if (user) {
    return <Navigate to={next} replace />;
  }

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (login.isPending) return;
    // On success the signed-in user is known, and the redirect above takes over.
    login.mutate({ username, password });
  };

  const formError = error && Object.keys(error.fieldErrors).length === 0 ? error.message : null;

  return (
    <main className="login" id="main">
      <div className="login__card">
        <p className="brand brand--large">
          <img className="brand__mark" src="/favicon.svg" alt="" width="36" height="36" />
          Resee Alerts
        </p>
        <h1 className="login__title">Sign in</h1>
        <form className="form" onSubmit={onSubmit} noValidate aria-describedby={formError ? "login-error" : undefined}>
          {formError && (
            <p id="login-error" className="notice notice--error" role="alert">
              {formError}
            </p>
          )}
          <FormField
            ref={usernameRef}
            id="username"
            name="username"
            label="User name"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            errors={error?.fieldErrors.username}
            onChange={(event) => {
              setUsername(event.target.value);
            }}
          />
          <FormField
            ref={passwordRef}
            id="password"
            name="password"
            type="password"
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            errors={error?.fieldErrors.password}
            onChange={(event) => {
              setPassword(event.target.value);
            }}
          />
          <button type="submit" className="button button--primary button--block" aria-busy={login.isPending}>
            {login.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
