import { useState } from "preact/hooks";
import { ApiError, query } from "../api/client";
import { unplacedError } from "../api/errors";
import { Alert, Field, Page } from "../ui/components";
import { useAction } from "../ui/hooks";

function isoDay(offsetDays: number): string {
  const day = new Date(Date.now() + offsetDays * 86400_000);
  return day.toISOString().slice(0, 10);
}

/** The weekly PDF: fetched first (so an error shows here, in words), then saved as a file. */
export function Reports() {
  const [from, setFrom] = useState(isoDay(-6));
  const [to, setTo] = useState(isoDay(0));
  const download = useAction(async () => {
    const response = await fetch(`/api/reports/weekly${query({ from, to })}`, { credentials: "same-origin" });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new ApiError(response.status, body.code ?? `HTTP_${response.status}`, body.error ?? "The report could not be made", body.field);
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `callfunnel-report-${from}-to-${to}.pdf`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  return (
    <Page title="Reports" intro="A PDF for any stretch of up to 31 days: results per campaign, approvals, top objections, costs and calls per day.">
      <form class="card" onSubmit={(event) => { event.preventDefault(); void download.run(); }}>
        {unplacedError(download.error, ["from", "to"]) && <Alert error={download.error} />}
        <div class="row">
          <Field label="From" name="from" type="date" value={from} onValue={setFrom} error={download.error} />
          <Field label="To" name="to" type="date" value={to} onValue={setTo} error={download.error} />
        </div>
        <button type="submit" disabled={download.busy}>{download.busy ? "Preparing…" : "Download the PDF report"}</button>
      </form>
    </Page>
  );
}
