import { useState } from "preact/hooks";
import { api, ApiError } from "../api/client";
import { unplacedError } from "../api/errors";
import type { Run, RunStarted, WorkflowDetail } from "../api/types";
import { href, navigate } from "../router";
import { useSession } from "../session";
import { Alert, Badge, ConfirmDialog, Empty, Field, Loading, Page } from "../ui/components";
import { dateTime, money } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";
import { AudienceUpload } from "./AudienceUpload";
import { ProblemList } from "./Campaigns";
import { RuleBookEditor, RuleBookView } from "./RuleBookEditor";

export function Campaign(props: { id: string }) {
  const path = `/api/workflows/${encodeURIComponent(props.id)}`;
  const workflow = useResource(() => api<WorkflowDetail>(path), [props.id]);
  const runs = useResource(() => api<{ runs: Run[] }>(`${path}/runs?limit=10`), [props.id]);
  const [editing, setEditing] = useState(false);
  const [confirmRetire, setConfirmRetire] = useState(false);
  const start = useAction(async () => {
    const started = await api<RunStarted>(`${path}/run`, { method: "POST", idempotent: true });
    navigate(`/campaigns/${props.id}/runs/${started.run_id}`);
  });
  const pause = useAction(async () => {
    await api(`${path}/pause`, { method: "POST", idempotent: true });
    await Promise.all([workflow.reload(), runs.reload()]);
  });
  const retire = useAction(async () => {
    await api(`${path}/retire`, { method: "POST", idempotent: true });
    setConfirmRetire(false);
    await workflow.reload();
  });
  if (!workflow.data) {
    return <Page title="Campaign">{workflow.error ? <Alert error={workflow.error} retry={workflow.reload} /> : <Loading />}</Page>;
  }
  const detail = workflow.data;
  const retired = detail.status === "retired";
  const running = runs.data?.runs.find((run) => run.status === "running");
  return (
    <Page title={detail.name} actions={<Badge value={detail.status} />}>
      <p class="muted">Voice {detail.persona} · schedule {detail.schedule_kind}{detail.is_test ? " · test campaign (sandbox, never billed)" : ""}</p>
      <section class="card" aria-labelledby="run-title">
        <h2 id="run-title">Calling</h2>
        <ol class="checklist">
          <li class={detail.audience_count > 0 ? "done" : ""}>Audience: {detail.audience_count} {detail.audience_count === 1 ? "person" : "people"}</li>
          <li class={detail.compliance.consent_attested_at ? "done" : ""}>
            Consent: {detail.compliance.consent_attested_at ? `attested ${dateTime(detail.compliance.consent_attested_at)}` : "not attested yet"}
          </li>
        </ol>
        <Alert error={start.error ?? pause.error ?? retire.error} />
        {start.error instanceof ApiError && start.error.status === 402 && <p><a href={href("/money")}>Top up your wallet</a></p>}
        <div class="button-row">
          {!retired && !running && <button type="button" disabled={start.busy} onClick={() => start.run()}>
            {start.busy ? "Starting…" : detail.status === "paused" ? "Resume calling" : "Start calling"}</button>}
          {running && <a class="button" href={href(`/campaigns/${props.id}/runs/${running.id}`)}>Watch the live run</a>}
          {running && <button type="button" class="secondary" disabled={pause.busy} onClick={() => pause.run()}>Pause</button>}
          {!retired && <button type="button" class="danger" onClick={() => setConfirmRetire(true)}>Retire…</button>}
        </div>
        <RunList workflowId={props.id} runs={runs.data?.runs} error={runs.error} />
      </section>
      <section class="card" aria-labelledby="rules-title">
        <h2 id="rules-title">Rule book</h2>
        {editing
          ? <RuleBookEditor workflow={detail} onCancel={() => setEditing(false)}
              onSaved={() => { setEditing(false); void workflow.reload(); }} />
          : <>
              <RuleBookView ruleBook={detail.rule_book} />
              {!retired && <div class="button-row">
                <button type="button" class="secondary" onClick={() => setEditing(true)}>Edit rule book</button>
              </div>}
            </>}
        <OpenerPreview text={detail.rule_book.opener} persona={detail.persona} />
        {!retired && !editing && <Regenerate workflow={detail} onDone={() => workflow.reload()} />}
      </section>
      {!retired && <section class="card" aria-labelledby="audience-title">
        <h2 id="audience-title">Audience</h2>
        <AudienceUpload workflowId={props.id} onUploaded={() => workflow.reload()} />
      </section>}
      {!retired && <Attest workflow={detail} onDone={() => workflow.reload()} />}
      <ConfirmDialog open={confirmRetire} title="Retire this campaign?" confirmLabel="Retire campaign" danger
        busy={retire.busy} onCancel={() => setConfirmRetire(false)} onConfirm={() => retire.run()}>
        <p>A retired campaign never calls again and cannot be brought back. Its calls and reports stay.</p>
      </ConfirmDialog>
    </Page>
  );
}

function RunList(props: { workflowId: string; runs?: Run[]; error: unknown }) {
  if (props.error) return <Alert error={props.error} />;
  if (!props.runs) return <Loading />;
  if (props.runs.length === 0) return <Empty>No runs yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Runs, newest first</caption>
        <thead><tr><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Dialed</th>
          <th scope="col">Connected</th><th scope="col">Converted</th><th scope="col">Cost</th></tr></thead>
        <tbody>
          {props.runs.map((run) => (
            <tr key={run.id}>
              <td><a href={href(`/campaigns/${props.workflowId}/runs/${run.id}`)}>{dateTime(run.started_at)}</a></td>
              <td><Badge value={run.status} /></td>
              <td>{run.targets_dialed} of {run.targets_total}</td>
              <td>{run.targets_connected}</td>
              <td>{run.targets_converted}</td>
              <td>{money(run.cost_minor, run.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OpenerPreview(props: { text: string; persona: string }) {
  const [audio, setAudio] = useState<string | null>(null);
  const preview = useAction(async () => {
    const result = await api<{ mp3_url: string }>("/api/workflows/preview-opening", {
      body: { text: props.text, persona: props.persona } });
    setAudio(result.mp3_url);
  });
  return (
    <div class="preview">
      <button type="button" class="secondary" disabled={preview.busy} onClick={() => preview.run()}>
        {preview.busy ? "Preparing the voice…" : "Hear the opening words"}</button>
      <Alert error={preview.error} />
      {audio && <audio controls autoPlay src={audio} aria-label="The opening words in the campaign's voice" />}
    </div>
  );
}

function Regenerate(props: { workflow: WorkflowDetail; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [prompt, setPrompt] = useState(props.workflow.nl_prompt);
  const regenerate = useAction(async () => {
    await api(`/api/workflows/${encodeURIComponent(props.workflow.id)}/regenerate-rule-book`,
      { body: { nl_prompt: prompt }, idempotent: true });
    setOpen(false);
    props.onDone();
  });
  if (!open) {
    return <button type="button" class="secondary" onClick={() => setOpen(true)}>Write the rule book again…</button>;
  }
  return (
    <form class="regenerate" onSubmit={(event) => { event.preventDefault(); void regenerate.run(); }}>
      {unplacedError(regenerate.error, ["nl_prompt"]) && <Alert error={regenerate.error} />}
      <ProblemList error={regenerate.error} />
      <Field label="Campaign description" name="nl_prompt" multiline rows={4} value={prompt} onValue={setPrompt}
        error={regenerate.error} hint="The new rule book replaces the current one, including your edits." />
      <div class="button-row">
        <button type="submit" disabled={regenerate.busy}>{regenerate.busy ? "Writing…" : "Write it again"}</button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}

function Attest(props: { workflow: WorkflowDetail; onDone: () => void }) {
  const { me } = useSession();
  const current = props.workflow.compliance;
  const [text, setText] = useState(current.consent_attestation_text ?? "");
  const [sender, setSender] = useState(current.tcpa_sender_id ?? "");
  const [method, setMethod] = useState(current.dpdp_consent_method ?? "");
  const attest = useAction(async () => {
    await api(`/api/workflows/${encodeURIComponent(props.workflow.id)}/compliance`, { method: "PUT",
      body: { consent_attestation_text: text, tcpa_sender_id: sender || null, dpdp_consent_method: method || null } });
    props.onDone();
  });
  const fields = ["consent_attestation_text", "tcpa_sender_id", "dpdp_consent_method"];
  return (
    <form class="card" aria-labelledby="consent-title" onSubmit={(event) => { event.preventDefault(); void attest.run(); }}>
      <h2 id="consent-title">Consent</h2>
      <p>Before calling, confirm how the people in this audience agreed to be called (TCPA in the US, DPDP in India,
        GDPR in Europe). It is recorded under your name ({me.user?.email}).</p>
      {current.consent_attested_at && <p class="muted">Last attested {dateTime(current.consent_attested_at)}.</p>}
      {unplacedError(attest.error, fields) && <Alert error={attest.error} />}
      <Field label="How they consented" name="consent_attestation_text" multiline rows={2} required value={text}
        onValue={setText} error={attest.error} hint="For example: “Every contact opted in on our web form.”" />
      <div class="row">
        <Field label="Caller ID shown (TCPA sender, optional)" name="tcpa_sender_id" value={sender} onValue={setSender} error={attest.error} />
        <Field label="Consent method (DPDP, optional)" name="dpdp_consent_method" value={method} onValue={setMethod} error={attest.error} />
      </div>
      <button type="submit" disabled={attest.busy}>{attest.busy ? "Saving…" : "I attest this consent"}</button>
    </form>
  );
}
