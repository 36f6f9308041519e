import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api/client";
import { unplacedError } from "../api/errors";
import { href, navigate } from "../router";
import { Alert, Field, Loading, Notice, Page, Select } from "../ui/components";
import { useAction } from "../ui/hooks";

const COUNTRIES: Array<[string, string]> = [
  ["US", "United States"], ["IN", "India"], ["GB", "United Kingdom"], ["CA", "Canada"], ["AU", "Australia"],
  ["SG", "Singapore"], ["AE", "United Arab Emirates"],
];

async function logIn(email: string, password: string): Promise<void> {
  await api("/auth/login", { body: { email, password }, quietUnauthorized: true });
}

export function LogIn(props: { onSignedIn: () => Promise<void> }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction(async () => {
    await logIn(email, password);
    navigate("/");
    await props.onSignedIn();
  });
  return (
    <Page title="Log in to CallFunnel">
      <form class="card narrow" onSubmit={(event) => { event.preventDefault(); void action.run(); }}>
        {unplacedError(action.error, ["email", "password"]) && <Alert error={action.error} />}
        <Field label="Email" name="email" type="email" autoComplete="username" required value={email}
          onValue={setEmail} error={action.error} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required
          value={password} onValue={setPassword} error={action.error} />
        <button type="submit" disabled={action.busy}>{action.busy ? "Logging in…" : "Log in"}</button>
        <p>New to CallFunnel? <a href={href("/signup")}>Create a workspace</a></p>
      </form>
    </Page>
  );
}

export function SignUp(props: { onSignedIn: () => Promise<void>; sandbox: boolean }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fullName, setFullName] = useState("");
  const [country, setCountry] = useState("US");
  const action = useAction(async () => {
    await api("/auth/signup", { body: { email, password, full_name: fullName || null, country } });
    await logIn(email, password);
    navigate("/");
    await props.onSignedIn();
  });
  const fields = ["email", "password", "full_name", "country"];
  return (
    <Page title="Create your CallFunnel workspace"
      intro="A trial wallet comes with it ($5, or ₹450 in India), enough to try a campaign on the sandbox carrier.">
      <form class="card narrow" onSubmit={(event) => { event.preventDefault(); void action.run(); }}>
        {unplacedError(action.error, fields) && <Alert error={action.error} />}
        <Field label="Your name" name="full_name" autoComplete="name" value={fullName} onValue={setFullName}
          error={action.error} hint="Your workspace is named after you; you can have a team later." />
        <Field label="Work email" name="email" type="email" autoComplete="email" required value={email}
          onValue={setEmail} error={action.error} hint="We send a link to confirm it." />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required value={password}
          onValue={setPassword} error={action.error} hint="At least 10 characters." />
        <Select label="Country" name="country" value={country} options={COUNTRIES} onValue={setCountry}
          error={action.error} hint="Sets your wallet's currency and the calling rules that apply by default." />
        <button type="submit" disabled={action.busy}>{action.busy ? "Creating…" : "Create workspace"}</button>
        <p>Already have one? <a href={href("/login")}>Log in</a></p>
        {props.sandbox && <p class="muted">This is a sandbox stack: emails go to its outbox, not to real inboxes.</p>}
      </form>
    </Page>
  );
}

type Verified = { ok: boolean; email: string; verified_at: string };

export function VerifyEmail(props: { token: string; signedIn: boolean; onVerified: () => Promise<void> }) {
  const [result, setResult] = useState<Verified | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    api<Verified>(`/auth/verify-email${query({ token: props.token })}`, { quietUnauthorized: true })
      .then(async (verified) => { setResult(verified); await props.onVerified(); }, setError);
  }, [props.token]);
  return (
    <Page title="Confirm your email">
      <div class="card narrow">
        {!result && !error && <Loading label="Confirming…" />}
        {error !== undefined && <Alert error={error} />}
        {result && <Notice tone="success">{result.email} is confirmed. Thank you.</Notice>}
        <p><a href={href(props.signedIn ? "/" : "/login")}>{props.signedIn ? "Go to your overview" : "Log in"}</a></p>
      </div>
    </Page>
  );
}
