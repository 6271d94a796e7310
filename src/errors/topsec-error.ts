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
export const isTopsecError = (error: unknown): error is TopsecError => error instanceof TopsecError || (error as {isTopsecError?: unknown} | null)?.isTopsecError === true;

/** A guard recognising instances of `cls` by class or, across realms, by `name`. */
export const guard =
	<T extends Error>(cls: abstract new (...args: never[]) => T, name: string) =>
	(error: unknown): error is T =>
		error instanceof cls || (error as {name?: unknown} | null)?.name === name;
