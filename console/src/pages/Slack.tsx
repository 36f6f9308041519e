import { useState } from "preact/hooks";
import { api, ApiError } from "../api/client";
import { unplacedError } from "../api/errors";
import type { SlackConnection } from "../api/types";
import { isAdmin, useSession } from "../session";
import { Alert, ConfirmDialog, Field, Loading, Notice, Page } from "../ui/components";
import { dateTime } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";
import { SetupTabs } from "./SetupTabs";

/** What Slack's redirect back (`/integrations/slack/oauth/callback` → `/#/setup/slack?slack=…`) tells the page. */
const OUTCOMES: Record<string, [string, "success" | "warning"]> = {
  connected: ["Slack is connected.", "success"],
  cancelled: ["You cancelled in Slack: nothing was connected.", "warning"],
  failed: ["Slack did not authorize CallFunnel: nothing was connected. Try Add to Slack again.", "warning"],
};

/** Why the callback refused Slack's redirect (`?slack=failed&code=…`), in plain words. */
const REFUSALS: Record<string, string> = {
  SLACK_OAUTH_STATE_USED: "That Slack authorization was already used (a second click, or the back button).",
  SLACK_OAUTH_STATE_EXPIRED: "That Slack authorization expired before it came back. Click Add to Slack again.",
  SLACK_OAUTH_STATE_INVALID: "That Slack authorization is not the latest one you started. Click Add to Slack again.",
  SLACK_WORKSPACE_IN_USE: "That Slack workspace is connected to another CallFunnel workspace: disconnect it there first.",
};

function outcomeNotice(outcome: string | null | undefined, code: string | null | undefined): [string, "success" | "warning"] | undefined {
  if (outcome === "failed" && code) return [REFUSALS[code] ?? `Slack was not connected (${code}). Try Add to Slack again.`, "warning"];
  return outcome ? OUTCOMES[outcome] : undefined;
}

export function Slack(props: { outcome?: string | null; code?: string | null }) {
  const session = useSession();
  const slack = useResource(() => api<SlackConnection>("/integrations/slack"));
  const [disconnecting, setDisconnecting] = useState(false);
  const [disconnected, setDisconnected] = useState<string | null>(null);
  const install = useAction(async () => {
    const started = await api<{ authorize_url: string }>("/integrations/slack/install", { method: "POST" });
    location.assign(started.authorize_url);  // Slack's page; it sends the browser back here
  });
  const disconnect = useAction(async () => {
    const result = await api<{ deleted: boolean; revoked: boolean }>("/integrations/slack", { method: "DELETE" });
    setDisconnecting(false);
    setDisconnected(result.revoked ? "Slack is disconnected and CallFunnel's access to it is revoked."
      : "Slack is disconnected here. Slack did not confirm the revocation: remove the CallFunnel app in Slack's settings to be sure.");
    await slack.reload();
  });
  const outcome = outcomeNotice(props.outcome, props.code);
  const connection = slack.data;
  return (
    <Page title="Slack" intro="Approvals are posted to a channel of your Slack, with Approve and Deny buttons. Without Slack, decide them on the Approvals page.">
      <SetupTabs current="/setup/slack" />
      {outcome && !disconnected && <Notice tone={outcome[1]}>{outcome[0]}</Notice>}
      {disconnected && <Notice tone="success">{disconnected}</Notice>}
      <section class="card" aria-labelledby="slack-title">
        <h2 id="slack-title">Connection</h2>
        <Alert error={slack.error} retry={slack.reload} />
        {!connection && !slack.error && <Loading />}
        {connection && !connection.connected && (
          <>
            <p>Not connected. Add CallFunnel to your Slack workspace: Slack asks you to allow it, then brings you back here.</p>
            <button type="button" disabled={install.busy} onClick={() => install.run()}>
              {install.busy ? "Opening Slack…" : "Add to Slack"}</button>
            <InstallError error={install.error} />
          </>
        )}
        {connection?.connected && (
          <>
            <dl class="pairs">
              <div><dt>Workspace</dt><dd>{connection.team?.name}</dd></div>
              <div><dt>Approvals go to</dt><dd>{connection.channel ? `#${connection.channel.name}` : "no channel yet: choose one below"}</dd></div>
              <div><dt>Connected</dt><dd>{dateTime(connection.installed_at)}</dd></div>
            </dl>
            {isAdmin(session.me)
              ? <button type="button" class="danger" onClick={() => setDisconnecting(true)}>Disconnect Slack…</button>
              : <p class="muted">Only an owner or admin can disconnect Slack.</p>}
            <Alert error={disconnect.error} />
          </>
        )}
      </section>
      {connection?.connected && <ChannelForm connection={connection} onSaved={slack.reload} />}
      <ConfirmDialog open={disconnecting} title="Disconnect Slack?" confirmLabel="Disconnect" danger busy={disconnect.busy}
        onCancel={() => setDisconnecting(false)} onConfirm={() => disconnect.run()}>
        <p>Approvals stop going to {connection?.team?.name ?? "your Slack"} and CallFunnel's access to it is revoked.
          Messages already posted stay in Slack. You can connect again at any time.</p>
      </ConfirmDialog>
    </Page>
  );
}

function InstallError(props: { error: unknown }) {
  if (props.error instanceof ApiError && props.error.code === "SLACK_NOT_CONFIGURED") {
    return <Notice tone="warning">Slack is not set up on this CallFunnel deployment yet ({props.error.message}).</Notice>;
  }
  return <Alert error={props.error} />;
}

function ChannelForm(props: { connection: SlackConnection; onSaved: () => Promise<void> }) {
  const [channel, setChannel] = useState(props.connection.channel ? `#${props.connection.channel.name}` : "#approvals");
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    await api<SlackConnection>("/integrations/slack", { method: "PUT", body: { channel } });
    setSaved(true);
    await props.onSaved();
  });
  return (
    <form class="card" aria-labelledby="channel-title" onSubmit={(event) => { event.preventDefault(); void save.run(); }}>
      <h2 id="channel-title">Approvals channel</h2>
      {unplacedError(save.error, ["channel"]) && <Alert error={save.error} />}
      <Field label="Channel" name="channel" required value={channel} onValue={(value) => { setChannel(value); setSaved(false); }}
        error={save.error} hint="A channel name like #approvals (for a private channel, invite the CallFunnel app to it first)." />
      <button type="submit" disabled={save.busy}>{save.busy ? "Checking with Slack…" : "Save channel"}</button>
      <p aria-live="polite" class="muted">{saved ? "Saved: approvals go there now." : ""}</p>
    </form>
  );
}
