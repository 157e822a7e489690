import { createContext, useContext } from "react";
import type { User } from "../../types/auth";

/**
 * The signed-in user, provided by `RequireAuth` to everything it renders. A context rather than a
 * read of the `me` query, so that a component re-rendering while the user signs out still has the
 * user it was rendered for until `RequireAuth` takes it away.
 */
export const SignedInUserContext = createContext<User | null>(null);

export function useSignedInUser(): User {
  const user = useContext(SignedInUserContext);
  if (!user) {
    throw new Error("useSignedInUser is for components rendered inside RequireAuth");
  }
  return user;
}
