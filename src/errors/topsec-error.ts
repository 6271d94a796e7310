/**
Base class of every error topsec throws on purpose. Use `isTopsecError()` to test for it across realms
(iframes, workers, duplicated bundles), where `instanceof` fails.
*/
export class TopsecError extends Error {
	override name = 'TopsecError';

	/** Always `true`; lets guards recognise topsec errors from another realm. */
	get isTopsecError(): true {
		return true;
	}
}

/** Whether `error` is a {@link TopsecError} (also across realms). */
export function isTopsecError(error: unknown): error is TopsecError {
	return error instanceof TopsecError || (typeof error === 'object' && error !== null && (error as {isTopsecError?: unknown}).isTopsecError === true);
}
