/**
A lock shared by every tab of this origin, so only one tab refreshes a token while the others wait and then read
what it stored. Web Locks (Chrome 69, Firefox 96, Safari 15.4 and the WebViews built on them); where they are
missing the lock is tab-local: the single flight still holds inside the tab, and each tab refreshes on its own, which
costs one upstream call per tab, never a wrong token. (A localStorage lease did this job once; it cost ~0.2 KB of every
bundle for engines older than 2022.)
@module
*/

/** Runs `work` while holding the cross-tab lock `name` (callers pass their storage key, already `topsec:`-prefixed). */
export type TabLock = <T>(name: string, work: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** Web Locks when available, else just `work`. */
export const withTabLock: TabLock = (name, work, signal) => {
	const locks = typeof navigator === 'object' ? navigator.locks : undefined;
	return locks?.request ? locks.request(name, {signal}, work) : work();
};
