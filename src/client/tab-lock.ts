/**
A lock shared by every tab of this origin, so only one tab refreshes a token while the others wait and then read
what it stored. Web Locks where present; elsewhere (older WebViews) a lease in localStorage; where neither works,
the lock is tab-local (the single flight still holds inside the tab).
@module
*/

/** Runs `work` while holding the cross-tab lock `name`. */
export type TabLock = <T>(name: string, work: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

const LEASE_MS = 15_000;
const POLL_MS = 50;

const sleep = (ms: number, signal?: AbortSignal) =>
	new Promise<void>((resolve, reject) => {
		const timer = setTimeout(resolve, ms);
		signal?.addEventListener(
			'abort',
			() => {
				clearTimeout(timer);
				reject(signal.reason);
			},
			{once: true},
		);
	});

/** Web Locks when available, else a localStorage lease. */
export const withTabLock: TabLock = async (name, work, signal) => {
	const locks = typeof navigator === 'object' ? (navigator as Navigator & {locks?: LockManager}).locks : undefined;
	if (locks?.request) {
		return locks.request(`topsec:${name}`, signal ? {signal} : {}, work) as Promise<Awaited<ReturnType<typeof work>>>;
	}
	return withLeaseLock(name, work, signal);
};

function storage(): Storage | undefined {
	try {
		return typeof localStorage === 'object' && localStorage ? localStorage : undefined;
	} catch {
		return undefined; // Access throws in sandboxed iframes.
	}
}

/**
Lease lock over localStorage: write `{owner, until}` when free or stale, read back after a beat to win ties, hold
while working, and remove on the way out. A tab that dies holding it blocks others for at most the lease.
*/
export async function withLeaseLock<T>(name: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
	const store = storage();
	if (!store) return work();
	const key = `topsec-lock:${name}`;
	const owner = Math.random().toString(36).slice(2);
	const read = (): {owner: string; until: number} | undefined => {
		try {
			return JSON.parse(store.getItem(key) ?? 'null') ?? undefined;
		} catch {
			return undefined;
		}
	};
	for (const deadline = Date.now() + LEASE_MS * 2; ; ) {
		signal?.throwIfAborted();
		const held = read();
		if (!held || held.until < Date.now()) {
			try {
				store.setItem(key, JSON.stringify({owner, until: Date.now() + LEASE_MS}));
			} catch {
				return work(); // Quota or disabled storage: fall back to the tab-local single flight.
			}
			await sleep(POLL_MS, signal);
			if (read()?.owner === owner) break;
		} else if (Date.now() > deadline) {
			break; // Never wait forever on a lease a crashed tab left behind.
		} else {
			await sleep(POLL_MS, signal);
		}
	}
	try {
		return await work();
	} finally {
		if (read()?.owner === owner) store.removeItem(key);
	}
}
