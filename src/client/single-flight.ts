/**
One in-flight operation per key, shared by every concurrent caller. A caller's signal ends only that caller's wait:
the shared work runs on for the others (and for the cache) — it is small, and cancelling it would make every other
waiter start over.
*/
export type SingleFlight = <T>(key: string, work: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** Creates a {@link SingleFlight} group. */
export function createSingleFlight(): SingleFlight {
	const flights = new Map<string, Promise<unknown>>();
	return <T>(key: string, work: () => Promise<T>, signal?: AbortSignal) => {
		signal?.throwIfAborted();
		let flight = flights.get(key) as Promise<T> | undefined;
		if (!flight) {
			flights.set(key, (flight = work().finally(() => flights.delete(key))));
			flight.catch(() => {}); // It may fail after every waiter left; that is no unhandled rejection.
		}
		return new Promise<T>((resolve, reject) => {
			signal?.addEventListener('abort', () => reject(signal.reason));
			flight.then(resolve, reject);
		});
	};
}
