import { useRef, useState } from "preact/hooks";
import { api, query } from "../api/client";
import type { AudienceResult } from "../api/types";
import { Alert, Select } from "../ui/components";
import { useAction } from "../ui/hooks";

const SUMMARY: Array<[keyof AudienceResult, string]> = [
  ["accepted", "Accepted"], ["rejected_dnc", "On your do-not-call list"], ["rejected_ncpr", "On India's NCPR (do not disturb)"],
  ["rejected_cooldown", "Called in the last 7 days (cool-down)"], ["rejected_invalid", "Not a valid phone number"],
  ["duplicates", "Duplicates"], ["total_targets", "People in the audience now"],
];

/** A CSV dropped here (or chosen with the button) goes up as the campaign's audience, then the screening summary. */
export function AudienceUpload(props: { workflowId: string; onUploaded: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState("replace");
  const [dragging, setDragging] = useState(false);
  const [result, setResult] = useState<AudienceResult | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const upload = useAction(async (chosen: File) => {
    const form = new FormData();
    form.append("file", chosen, chosen.name);
    setResult(await api<AudienceResult>(
      `/api/workflows/${encodeURIComponent(props.workflowId)}/audience${query({ mode })}`, { form, idempotent: true }));
    props.onUploaded();
  });
  const choose = (chosen: File | undefined | null) => {
    if (!chosen) return;
    setFile(chosen);
    void upload.run(chosen);
  };
  return (
    <div class="audience">
      <Select label="This file" name="mode" value={mode} onValue={setMode}
        options={[["replace", "Replaces the audience"], ["append", "Adds to the audience"]]} />
      <div class={`dropzone${dragging ? " dragging" : ""}`} data-testid="dropzone"
        onDragOver={(event) => { event.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => { event.preventDefault(); setDragging(false); choose(event.dataTransfer?.files?.[0]); }}>
        <p>Drop a CSV file here, with a phone column (extra columns become details the caller can use).</p>
        <label class="button secondary" for="audience-file">Choose a CSV file</label>
        <input id="audience-file" ref={input} class="visually-hidden" type="file" accept=".csv,text/csv"
          onChange={(event) => { choose(event.currentTarget.files?.[0]); event.currentTarget.value = ""; }} />
        {file && <p class="muted" aria-live="polite">{upload.busy ? `Uploading ${file.name}…` : file.name}</p>}
      </div>
      <Alert error={upload.error} />
      {result && (
        <section aria-labelledby="screening-title" class="screening">
          <h4 id="screening-title">Screening summary</h4>
          <table>
            <caption class="visually-hidden">Screening summary of the upload</caption>
            <tbody>
              {SUMMARY.map(([key, label]) => (
                <tr key={key}><th scope="row">{label}</th><td data-field={key}>{result[key]}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
