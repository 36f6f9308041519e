import { useSession } from "../session";
import { useAction } from "../ui/hooks";

/** Until the owner confirms their email: what it changes, where the link is, and a way to check again. */
export function VerifyBanner(props: { email: string; sandbox: boolean }) {
  const session = useSession();
  const check = useAction(() => session.refresh());
  return (
    <aside class="banner" aria-label="Confirm your email">
      <p>
        <strong>Confirm your email address.</strong> We sent a link to {props.email}. Until you open it, campaigns
        cannot call through a real carrier (the sandbox carrier works).
        {props.sandbox && <> On this sandbox stack the email is in the <a href="/_sandbox/outbox" target="_blank" rel="noopener">sandbox outbox</a>.</>}
      </p>
      <button type="button" class="secondary" disabled={check.busy} onClick={() => check.run()}>
        {check.busy ? "Checking…" : "I have confirmed it"}
      </button>
    </aside>
  );
}
