// Money in minor units and times, as a person reads them.

// Formatters are built once (building one costs far more than formatting with it: a 1,000-row table formats 2,000 values).
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function money(minor: number | null | undefined, currency: string | null | undefined): string {
  if (minor === null || minor === undefined) return "—";
  const code = currency || "USD";
  try {
    let format = moneyFormats.get(code);
    if (!format) moneyFormats.set(code, format = new Intl.NumberFormat(undefined, { style: "currency", currency: code }));
    return format.format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${code}`;
  }
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

export function date(value: string | null | undefined): string {
  if (!value) return "—";
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? value : parsed.toLocaleDateString(undefined, { dateStyle: "medium" });
}

/** "in 3 h 20 min", "12 min ago". */
export function relative(value: string | null | undefined, now = Date.now()): string {
  if (!value) return "—";
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const span = Math.abs(seconds);
  const minutes = Math.round(span / 60);  // hours and minutes from the rounded total: never "19 h 60 min"
  const text = span < 60 ? `${span} s` : minutes < 60 ? `${minutes} min`
    : span < 86400 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.round(span / 86400)} days`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

export function duration(seconds: number | null | undefined): string {
  if (!seconds) return "0:00";
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export function words(value: string | null | undefined): string {
  return (value ?? "").replace(/_/g, " ");
}
