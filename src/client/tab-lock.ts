/**
A lock shared by every tab of this origin, so only one tab refreshes a token while the others wait and then read
what it stored. Web Locks where present; elsewhere (older WebViews) a lease in localStorage; where neither works,
the lock is tab-local (the single flight still holds inside the tab).
@module
*/

/** Runs `work` while holding the cross-tab lock `name` (callers pass their storage key, already `topsec:`-prefixed). */
export type TabLock = <T>(name: string, work: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** A crashed tab's lease blocks the others for at most this long. */
const LEASE_MS = 15_000;

/** Web Locks when available, else a localStorage lease. */
export const withTabLock: TabLock = (name, work, signal) => {
	const locks = typeof navigator === 'object' ? navigator.locks : undefined;
	return locks?.request ? locks.request(name, {signal}, work) : withLeaseLock(name, work, signal);
};

/**
Lease lock over localStorage: the value `<owner> <until>` is written when the key is free or stale, read back after
a beat to win ties, held while working, and removed on the way out. Waits at most one lease.
*/
export async function withLeaseLock<T>(name: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
	const key = `${name}:lock`;
	const me = `${Math.random()} `;
	const mine = () => localStorage.getItem(key)?.startsWith(me);
	try {
		for (let waited = 0; waited < LEASE_MS; waited += 50) {
			signal?.throwIfAborted();
			const [owner, until] = (localStorage.getItem(key) ?? '').split(' ');
			const free = !owner || Number(until) < Date.now();
			if (free) localStorage.setItem(key, me + (Date.now() + LEASE_MS));
			await new Promise((resolve) => setTimeout(resolve, 50));
			if (free && mine()) break;
		}
	} catch {
		signal?.throwIfAborted(); // Else no usable localStorage (sandboxed iframe, quota): the tab-local single flight must do.
	}
	try {
		return await work();
	} finally {
		try {
			if (mine()) localStorage.removeItem(key);
		} catch {}
	}
}
