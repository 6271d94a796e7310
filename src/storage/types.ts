/**
Where the client keeps what must survive a reload (the secToken record, upload checkpoints). Values are structured
clone-able plain objects; implementations may serialise them (mini-app storage) as long as `get` returns an equal
object.
*/
export type StorageAdapter = {
	/** What backs the store: `indexeddb`, `memory`, or an adapter's own name. */
	readonly kind: string;
	get(key: string): Promise<unknown>;
	set(key: string, value: unknown): Promise<void>;
	del(key: string): Promise<void>;
	/** Every key starting with `prefix`. */
	keys(prefix: string): Promise<string[]>;
};
