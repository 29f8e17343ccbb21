/** A fetch that failed: network, HTTP status, time or size. Recorded against the feed, retried next poll. */
export class FetchFailed extends Error {}

const TIMEOUT_MS = 15_000;

/** GETs a URL with a time limit, refusing bodies larger than `maxBytes` (checked while reading, not only by header). */
export async function fetchLimited(url: string, maxBytes: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'follow',
      headers: {
        accept: 'application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9, */*;q=0.5',
      },
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
    throw new FetchFailed(`GET ${url} failed: ${e instanceof Error ? e.message : String(e)}${cause}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new FetchFailed(`GET ${url} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new FetchFailed(`GET ${url}: body of ${declared} bytes exceeds ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > maxBytes) {
        throw new FetchFailed(`GET ${url}: body exceeds ${maxBytes} bytes`);
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (e) {
    throw e instanceof FetchFailed ? e : new FetchFailed(`GET ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return Buffer.concat(chunks);
}
