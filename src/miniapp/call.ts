/**
Callback-style mini-program calls as promises, with an `AbortSignal` that aborts the platform task.
@module
*/
import type {MiniappFailure} from './types.js';

/** Runs `start(success, fail)`; settles with its callbacks, or rejects with `signal.reason` (aborting the task) on abort. */
export function settle<T>(start: (success: (value: T) => void, fail: (failure: MiniappFailure) => void) => unknown, signal?: AbortSignal): Promise<{ok: true; value: T} | {ok: false; failure: MiniappFailure}> {
	return new Promise((resolve, reject) => {
		signal?.throwIfAborted();
		let done = false;
		const finish = (outcome: {ok: true; value: T} | {ok: false; failure: MiniappFailure}) => {
			if (done) return;
			done = true;
			signal?.removeEventListener('abort', onAbort);
			resolve(outcome);
		};
		const onAbort = () => {
			if (done) return;
			done = true;
			try {
				(task as {abort?: () => unknown} | undefined)?.abort?.();
			} catch {}
			reject(signal!.reason);
		};
		let task: unknown;
		try {
			task = start(
				(value) => finish({ok: true, value}),
				(failure) => finish({ok: false, failure: failure ?? {}}),
			);
		} catch (error) {
			// Some runtimes throw synchronously for bad arguments (or a domain not on the allowlist).
			return finish({ok: false, failure: {errMsg: error instanceof Error ? error.message : String(error)}});
		}
		signal?.addEventListener('abort', onAbort, {once: true});
		if (done) signal?.removeEventListener('abort', onAbort);
	});
}

/** Words for a platform failure, for error messages. */
export const describeFailure = (failure: MiniappFailure): string =>
	failure.errMsg ?? (failure.errorMessage ? `${failure.errorMessage}${failure.error === undefined ? '' : ` (${failure.error})`}` : 'no details');
