import { useState } from "preact/hooks";
import { api } from "../api/client";
import { unplacedError } from "../api/errors";
import type { WorkflowDetail, WorkflowSummary } from "../api/types";
import { href, navigate } from "../router";
import { Alert, Badge, Checkbox, Empty, Field, Loading, Page, Select } from "../ui/components";
import { dateTime } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";

export const PERSONAS: Array<[string, string]> = [
  ["amelia", "Amelia (British English, warm)"], ["rohan", "Rohan (Indian English)"], ["kai", "Kai"], ["anya", "Anya"],
  ["leo", "Leo"], ["priya", "Priya (Indian English, Hinglish)"],
];

export function Campaigns() {
  const list = useResource(() => api<{ workflows: WorkflowSummary[] }>("/api/workflows"));
  return (
    <Page title="Campaigns" actions={<a class="button" href={href("/campaigns/new")}>New campaign</a>}>
      <Alert error={list.error} retry={list.error ? list.reload : undefined} />
      {!list.data && !list.error && <Loading />}
      {list.data && list.data.workflows.length === 0 && (
        <Empty>No campaigns yet. <a href={href("/campaigns/new")}>Describe your first one</a> in plain words.</Empty>
      )}
      {list.data && list.data.workflows.length > 0 && (
        <div class="table-wrap card">
          <table>
            <caption class="visually-hidden">Campaigns</caption>
            <thead><tr><th scope="col">Campaign</th><th scope="col">Status</th><th scope="col">Voice</th>
              <th scope="col">Schedule</th><th scope="col">Last change</th></tr></thead>
            <tbody>
              {list.data.workflows.map((workflow) => (
                <tr key={workflow.id}>
                  <td><a href={href(`/campaigns/${workflow.id}`)}>{workflow.name}</a>{workflow.is_test && <span class="muted"> (test)</span>}</td>
                  <td><Badge value={workflow.status} /></td>
                  <td>{workflow.persona}</td>
                  <td>{workflow.schedule_kind}</td>
                  <td>{dateTime(workflow.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

export function NewCampaign() {
  const [prompt, setPrompt] = useState("");
  const [persona, setPersona] = useState("");
  const [isTest, setIsTest] = useState(false);
  const create = useAction(async () => {
    const workflow = await api<WorkflowDetail>("/api/workflows", {
      body: { nl_prompt: prompt, persona_override: persona || null, is_test: isTest }, idempotent: true,
    });
    navigate(`/campaigns/${workflow.id}`);
  });
  return (
    <Page title="New campaign" intro="Say who to call, why, when, and what the caller may offer. We write the rule book; you check and adjust it next.">
      <form class="card" noValidate onSubmit={(event) => { event.preventDefault(); void create.run(); }}>
        {unplacedError(create.error, ["nl_prompt", "persona_override"]) && <Alert error={create.error} />}
        <Field label="Describe the campaign" name="nl_prompt" multiline rows={6} required value={prompt}
          onValue={setPrompt} error={create.error}
          hint="For example: “Renewal recovery for our SaaS customers, calling every day, offer up to 15% off, auto-approve 10%.” Up to 4,000 characters." />
        <ProblemList error={create.error} />
        <Select label="Voice" name="persona_override" value={persona} onValue={setPersona} error={create.error}
          options={[["", "Let CallFunnel choose"], ...PERSONAS]} />
        <Checkbox label="Test campaign" name="is_test" checked={isTest} onValue={setIsTest}
          hint="Always uses the sandbox carrier and is never billed." />
        <button type="submit" disabled={create.busy}>{create.busy ? "Writing the rule book…" : "Create campaign"}</button>
      </form>
    </Page>
  );
}

/** The validator's list of problems (a 422 names every field it rejects). */
export function ProblemList(props: { error: unknown }) {
  const problems = (props.error as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? [];
  if (problems.length === 0) return null;
  return (
    <ul class="problems" aria-label="What to fix">
      {problems.map((problem) => <li key={problem.field + problem.message}><strong>{problem.field.replace(/_/g, " ")}</strong>: {problem.message}</li>)}
    </ul>
  );
}
