import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Health, WhoAmI } from "./api/types";

export type Session = {
  me: WhoAmI;
  health?: Health;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}

/** Whether this session may do what the API keeps for admins (deleting things): owners and admins. */
export function isAdmin(me: WhoAmI): boolean {
  return me.user ? ["owner", "admin"].includes(me.user.role) : me.scope === "admin";
}
