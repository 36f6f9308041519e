import { api } from "../api/client";
import type { CallDetail, CallTransfer } from "../api/types";
import { href } from "../router";
import { Alert, Badge, Empty, Loading, Page, Stat } from "../ui/components";
import { dateTime, duration, money, words } from "../ui/format";
import { useResource } from "../ui/hooks";

function offset(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export function CallView(props: { id: string }) {
  const call = useResource(() => api<CallDetail>(`/api/calls/${encodeURIComponent(props.id)}`), [props.id]);
  if (!call.data) {
    return <Page title="Call">{call.error ? <Alert error={call.error} retry={call.reload} /> : <Loading />}</Page>;
  }
  const detail = call.data;
  return (
    <Page title={`Call to ${detail.to}`} actions={<>
      {detail.reason === "callback" && <span class="badge badge-callback">Callback</span>} <Badge value={detail.outcome ?? detail.status} />
    </>}>
      <p><a href={href(`/campaigns/${detail.workflow_id}/runs/${detail.run_id}`)}>Back to the run</a></p>
      <dl class="stats" aria-label="Call">
        <Stat label="Started" value={dateTime(detail.started_at)} />
        <Stat label="Length" value={duration(detail.duration_seconds)} />
        <Stat label="Cost" value={money(detail.cost_minor, detail.currency)} />
        <Stat label="Carrier status" value={words(detail.status)} />
        {detail.reason && <Stat label="Why we called" value={detail.reason === "callback" ? "A callback they asked for" : "The campaign"} />}
        <Stat label="Response time" value={detail.latency ? `${detail.latency.p50_ms} ms` : "—"}
          hint={detail.latency ? `typical; slowest 5%: ${detail.latency.p95_ms} ms over ${detail.latency.turns} turns` : "not measured"} />
      </dl>
      {detail.reason === "callback" && <p>This call was the callback the person asked for on an earlier call. <a href={href("/callbacks")}>All callbacks</a></p>}
      {detail.transfer && <Transfer transfer={detail.transfer} currency={detail.currency} />}
      <section class="card" aria-labelledby="recording-title">
        <h2 id="recording-title">Recording</h2>
        {detail.recording
          ? <>
              <audio controls preload="metadata" src={detail.recording.url} aria-label={`Recording of the call to ${detail.to}`} />
              <p class="muted">{offset(detail.recording.duration_ms)} · {detail.recording.channels === 2 ? "the caller and the callee on separate channels" : "mono"}</p>
            </>
          : <Empty>No recording: the call was not answered, or the recording notice was not heard in full.</Empty>}
      </section>
      <section class="card" aria-labelledby="transcript-title">
        <h2 id="transcript-title">Transcript</h2>
        {detail.transcript.length === 0 ? <Empty>Nothing was said on this call.</Empty> : (
          <ol class="transcript">
            {detail.transcript.map((line, index) => (
              <li key={index} class={line.speaker === "agent" ? "agent" : "contact"}>
                <span class="speaker">{line.speaker === "agent" ? "AI caller" : "Callee"}</span>
                <span class="offset">{offset(line.offset_ms)}</span>
                <span class="text">{line.text}{line.interrupted && <em class="muted"> (interrupted)</em>}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      {detail.analysis && Object.keys(detail.analysis).length > 0 && (
        <section class="card" aria-labelledby="analysis-title">
          <h2 id="analysis-title">Analysis</h2>
          <dl class="pairs">
            {Object.entries(detail.analysis).map(([key, value]) => (
              <div key={key}><dt>{words(key)}</dt><dd>{typeof value === "object" ? JSON.stringify(value) : String(value)}</dd></div>
            ))}
          </dl>
        </section>
      )}
    </Page>
  );
}

const TRANSFER_STATUS: Record<CallTransfer["status"], string> = {
  requested: "Asked for a person", ringing: "Ringing the person", connected: "Talked to a person",
  no_answer: "The person did not answer", busy: "The person's line was busy", failed: "The transfer failed",
};

/** The call handed to a person (only when it was): who was rung, how it went, what they were told first. */
function Transfer(props: { transfer: CallTransfer; currency: string }) {
  const transfer = props.transfer;
  return (
    <section class="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">Transfer to a person</h2>
      <dl class="pairs">
        <div><dt>How it went</dt><dd><Badge value={transfer.status} /> {TRANSFER_STATUS[transfer.status] ?? ""}</dd></div>
        <div><dt>Put through to</dt><dd>the number ending {transfer.to_last4}</dd></div>
        <div><dt>Talked</dt><dd>{duration(transfer.duration_seconds)}</dd></div>
        <div><dt>Charged</dt><dd>{money(transfer.charged_minor, props.currency)}</dd></div>
        {transfer.whisper && <div><dt>Your colleague heard first</dt><dd>“{transfer.whisper}”</dd></div>}
        {transfer.message && <div><dt>Their message</dt><dd>“{transfer.message}”</dd></div>}
      </dl>
      {transfer.recording_url
        ? <audio controls preload="metadata" src={transfer.recording_url} aria-label="Recording of the transfer" />
        : transfer.status === "connected" && <p class="muted">The recording of the transfer appears here once the carrier delivers it.</p>}
    </section>
  );
}
