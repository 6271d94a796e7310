// The "done" marks beside each step's title.

/** Marks step `name` (`identity`, `reload`, `credentials`, `upload`, `result`) as done. */
export function markDone(name: string): void {
	const state = document.getElementById(`${name}-state`);
	if (!state || state.textContent) return;
	state.textContent = '✓ done';
	state.closest('section')?.classList.add('done');
}
