import { useEffect, useState } from "preact/hooks";
import { api, ApiError, setUnauthorizedHandler } from "./api/client";
import type { Health, WhoAmI } from "./api/types";
import { href, navigate, useRoute, type Route } from "./router";
import { SessionContext, type Session } from "./session";
import { Alert, Loading } from "./ui/components";
import { Approvals } from "./pages/Approvals";
import { Callbacks } from "./pages/Callbacks";
import { CallView } from "./pages/CallView";
import { Campaign } from "./pages/Campaign";
import { Campaigns, NewCampaign } from "./pages/Campaigns";
import { Contacts } from "./pages/Contacts";
import { Keys } from "./pages/Keys";
import { LiveRun } from "./pages/LiveRun";
import { LogIn, SignUp, VerifyEmail } from "./pages/Account";
import { Money } from "./pages/Money";
import { Overview } from "./pages/Overview";
import { Reports } from "./pages/Reports";
import { Setup } from "./pages/Setup";
import { Slack } from "./pages/Slack";
import { WebhookEndpoint } from "./pages/WebhookEndpoint";
import { Webhooks } from "./pages/Webhooks";
import { VerifyBanner } from "./pages/VerifyBanner";

const NAVIGATION: Array<[string, string]> = [
  ["/", "Overview"], ["/campaigns", "Campaigns"], ["/approvals", "Approvals"], ["/callbacks", "Callbacks"],
  ["/contacts", "Contacts"],
  ["/money", "Money"], ["/keys", "API keys"], ["/setup", "Setup"], ["/reports", "Reports"],
];
const PUBLIC_PAGES = new Set(["login", "signup", "verify-email"]);

export function App() {
  const route = useRoute();
  const [me, setMe] = useState<WhoAmI | null | undefined>(undefined);
  const [health, setHealth] = useState<Health | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const refresh = async () => {
    try {
      setMe(await api<WhoAmI>("/auth/me", { quietUnauthorized: true }));
      setError(undefined);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) setMe(null);
      else setError(caught);
    }
  };
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    void refresh();
    api<Health>("/healthz").then(setHealth, () => undefined);
  }, []);

  const page = route.segments[0] ?? "";
  if (me === undefined) {
    return <main id="main" class="standalone">{error ? <Alert error={error} retry={refresh} /> : <Loading />}</main>;
  }
  if (me === null || PUBLIC_PAGES.has(page)) {
    return <main id="main" class="standalone">{publicPage(route, refresh, health, me !== null)}</main>;
  }
  const session: Session = {
    me, health, refresh,
    signOut: async () => {
      try {
        await api("/auth/logout", { method: "POST" });
      } finally {
        setMe(null);
        navigate("/login");
      }
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById("main")?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <p class="brand"><a href={href("/")}>CallFunnel</a>{health?.sandbox && <span class="sandbox-tag">sandbox</span>}</p>
        <nav aria-label="Main">
          <ul>
            {NAVIGATION.map(([path, label]) => (
              <li key={path}>
                <a href={href(path)} aria-current={isCurrent(route, path) ? "page" : undefined}>{label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span>{me.tenant.name}</span>
          <span class="muted">{me.user?.email}</span>
          <button type="button" class="secondary" onClick={() => session.signOut()}>Log out</button>
        </div>
      </header>
      {me.user && !me.user.email_verified && <VerifyBanner email={me.user.email} sandbox={health?.sandbox ?? false} />}
      <main id="main" tabIndex={-1}>{privatePage(route)}</main>
    </SessionContext.Provider>
  );
}

function isCurrent(route: Route, path: string): boolean {
  if (path === "/") return route.path === "/";
  return route.path === path || route.path.startsWith(`${path}/`) || (path === "/campaigns" && route.segments[0] === "calls");
}

function publicPage(route: Route, refresh: () => Promise<void>, health: Health | undefined, signedIn: boolean) {
  switch (route.segments[0]) {
    case "signup":
      return <SignUp onSignedIn={refresh} sandbox={health?.sandbox ?? false} />;
    case "verify-email":
      return <VerifyEmail token={route.params.get("token") ?? ""} signedIn={signedIn} onVerified={refresh} />;
    default:
      return <LogIn onSignedIn={refresh} />;
  }
}

function privatePage(route: Route) {
  const [first, second, third, fourth] = route.segments;
  switch (first) {
    case undefined:
      return <Overview />;
    case "keys":
      return <Keys />;
    case "campaigns":
      if (second === "new") return <NewCampaign />;
      if (second && third === "runs" && fourth) return <LiveRun workflowId={second} runId={fourth} />;
      if (second) return <Campaign id={second} />;
      return <Campaigns />;
    case "calls":
      return second ? <CallView id={second} /> : <Campaigns />;
    case "approvals":
      return <Approvals />;
    case "callbacks":
      return <Callbacks status={route.params.get("status") ?? ""} />;
    case "contacts":
      return <Contacts />;
    case "money":
      return <Money />;
    case "setup":
      if (second === "slack") return <Slack outcome={route.params.get("slack")} code={route.params.get("code")} />;
      if (second === "webhooks") return third ? <WebhookEndpoint id={third} /> : <Webhooks />;
      return <Setup />;
    case "reports":
      return <Reports />;
    default:
      return <Alert error={new Error("There is no such page. Use the menu above.")} />;
  }
}
