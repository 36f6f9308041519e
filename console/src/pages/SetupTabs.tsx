import { href } from "../router";

const SECTIONS: Array<[string, string]> = [
  ["/setup", "Providers and numbers"], ["/setup/slack", "Slack"], ["/setup/webhooks", "Webhooks"],
];

/** Setup's sections, one page each (Slack's "Add to Slack" comes back to its own page). */
export function SetupTabs(props: { current: string }) {
  return (
    <nav class="tabs" aria-label="Setup sections">
      <ul>
        {SECTIONS.map(([path, label]) => (
          <li key={path}><a href={href(path)} aria-current={props.current === path ? "page" : undefined}>{label}</a></li>
        ))}
      </ul>
    </nav>
  );
}
