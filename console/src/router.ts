// Hash routes (`/#/campaigns/wf_1`): the page is always `/`, so no path but `/`, `/index.html` and `/assets/*`
// is ever the console's: every other path stays the API's.
import { useEffect, useState } from "preact/hooks";

export type Route = { path: string; segments: string[]; params: URLSearchParams };

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = hash.split("?", 2);
  return { path, segments: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}

export function href(path: string): string {
  return `#${path}`;
}

export function navigate(path: string): void {
  location.hash = path;
}
