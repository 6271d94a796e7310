/**
One in-flight operation per key, shared by every concurrent caller. Each caller may abort its own wait with its
signal; the shared work is aborted only when every caller waiting on it has gone.
*/
export type SingleFlight = <T>(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** Creates a {@link SingleFlight} group. */
export function createSingleFlight(): SingleFlight {
	const flights = new Map<string, {promise: Promise<unknown>; controller: AbortController; waiters: number}>();
	return <T>(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal) => {
		signal?.throwIfAborted();
		let flight = flights.get(key);
		if (!flight) {
			const controller = new AbortController();
			const promise = work(controller.signal).finally(() => flights.get(key) === flight && flights.delete(key));
			promise.catch(() => {}); // It may fail after every waiter left; that is no unhandled rejection.
			flights.set(key, (flight = {promise, controller, waiters: 0}));
		}
		const current = flight;
		current.waiters++;
		return new Promise<T>((resolve, reject) => {
			const leave = () => {
				current.waiters--;
				signal?.removeEventListener('abort', onAbort);
			};
			const onAbort = () => {
				leave();
				reject(signal!.reason);
				if (!current.waiters) {
					current.controller.abort(signal!.reason);
					if (flights.get(key) === current) flights.delete(key);
				}
			};
			signal?.addEventListener('abort', onAbort);
			current.promise.then(
				(value) => (leave(), resolve(value as T)),
				(error: unknown) => (leave(), reject(error)),
			);
		});
	};
}
