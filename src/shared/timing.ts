/**
Waiting, shared by the parts of topsec that retry on their own (the OSS uploader, the mini-app adapters).
@module
*/

/** Full-jitter exponential backoff: a random wait in [0, min(cap, 300 ms · 2^attempt)]. */
export const backoffMs = (attempt: number, capMs = 4000): number => Math.random() * Math.min(capMs, 300 * 2 ** attempt);

/** Waits `ms`, or rejects with the signal's reason when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
	new Promise((resolve, reject) => {
		signal?.throwIfAborted();
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal!.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, {once: true});
	});
