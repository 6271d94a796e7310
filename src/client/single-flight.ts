/**
One in-flight operation per key, shared by every concurrent caller. Each caller may abort its own wait with its
signal; the shared work is aborted only when every caller waiting on it has gone.
*/
export type SingleFlight = <T>(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal) => Promise<T>;

type Flight = {promise: Promise<unknown>; controller: AbortController; waiters: number};

/** Creates a {@link SingleFlight} group. */
export function createSingleFlight(): SingleFlight {
	const flights = new Map<string, Flight>();
	return <T>(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> => {
		signal?.throwIfAborted();
		let flight = flights.get(key);
		if (!flight) {
			const controller = new AbortController();
			const created: Flight = {controller, waiters: 0, promise: Promise.resolve()};
			created.promise = (async () => work(controller.signal))().finally(() => {
				if (flights.get(key) === created) flights.delete(key);
			});
			// The shared promise may reject after every waiter left; keep that from surfacing as unhandled.
			created.promise.catch(() => {});
			flights.set(key, created);
			flight = created;
		}
		const current = flight;
		current.waiters++;
		return new Promise<T>((resolve, reject) => {
			const onAbort = () => {
				reject(signal!.reason);
				if (--current.waiters === 0) {
					current.controller.abort(signal!.reason);
					if (flights.get(key) === current) flights.delete(key);
				}
			};
			signal?.addEventListener('abort', onAbort, {once: true});
			current.promise.then(
				(value) => {
					signal?.removeEventListener('abort', onAbort);
					current.waiters--;
					resolve(value as T);
				},
				(error: unknown) => {
					signal?.removeEventListener('abort', onAbort);
					current.waiters--;
					reject(error);
				},
			);
		});
	};
}
