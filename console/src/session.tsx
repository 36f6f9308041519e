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
