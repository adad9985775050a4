// Fetching a data file the build put under public/data (the Brown corpus, the image sets), with
// the message a person can act on when it is not there: what was asked, what came back, and how
// to rebuild it. Browser and Web Worker only (Node reads the files directly).

/** GET `url`; throws "<what> …: <how to rebuild>" when the request fails or is not 2xx. */
export async function fetchData(url: string | URL, what: string, rebuild: string, fetchFn: typeof fetch = fetch): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new Error(`Could not fetch ${what} from ${String(url)}: ${(e as Error).message}. ${rebuild}`);
  }
  if (!res.ok) throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} is missing: GET ${String(url)} answered ${res.status} ${res.statusText}. ${rebuild}`);
  return res;
}
