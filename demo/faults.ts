// Fault switches: they drive the emulators' fault injection (`/__emulator/*`, see src/emulator/server.ts) so the
// SDK's recovery can be watched: retries after 5xx and dropped connections, new credentials after expiry.
import {byId, describeError} from './util.js';

const STATE_KEY = 'topsec-demo-faults';

/** The OSS switches and the fault each one injects while on (seeded: the same run fails the same requests). */
const OSS_SWITCHES: Record<string, {fault: Record<string, unknown>; text: string}> = {
	'fault-oss-503': {fault: {kind: 'http', status: 503, match: {partNumber: true}, probability: 0.2, seed: 7}, text: '1 in 5 part uploads now answer 503 ServiceUnavailable; the SDK retries them with backoff.'},
	'fault-oss-drop': {fault: {kind: 'drop', match: {partNumber: true}, probability: 0.1, seed: 11}, text: '1 in 10 part uploads now lose their connection mid-body; the SDK sends them again.'},
	'fault-oss-slow': {fault: {kind: 'delay', ms: 800, probability: 1}, text: 'Every OSS request now waits 800 ms: uploads are slow enough to pause.'},
};

export function setupFaults(fetchLogged: typeof fetch): void {
	const status = byId('fault-status');
	const say = (text: string) => (status.textContent = text);
	const control = async (method: string, path: string, body?: unknown) => {
		const response = await fetchLogged(`/__emulator/${path}`, {method, ...(body === undefined ? {} : {headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})});
		if (!response.ok) throw new Error(`${method} /__emulator/${path} answered ${response.status}`);
	};
	const switches = Object.keys(OSS_SWITCHES).map((id) => byId<HTMLInputElement>(id));

	/** The emulator keeps one queue of OSS faults: clear it, then add what is switched on. */
	const applyOss = async () => {
		await control('DELETE', 'oss/faults');
		for (const input of switches) {
			if (input.checked) await control('POST', 'oss/faults', OSS_SWITCHES[input.id]!.fault);
		}
		try {
			sessionStorage.setItem(STATE_KEY, JSON.stringify(switches.filter((input) => input.checked).map((input) => input.id)));
		} catch {}
	};
	const run = async (action: () => Promise<void>, done: string) => {
		try {
			await action();
			say(done);
		} catch (error) {
			say(`Could not reach the emulator: ${describeError(error)}`);
		}
	};

	for (const input of switches) {
		input.addEventListener('change', () => void run(applyOss, input.checked ? OSS_SWITCHES[input.id]!.text : 'Switched off.'));
	}
	byId('fault-expire').addEventListener('click', () =>
		run(() => control('POST', 'sts/expire'), 'Every STS credential issued so far is now expired. The next OSS request is refused with SecurityTokenExpired; the SDK fetches new credentials (step 3 shows them) and goes on.'),
	);
	byId('fault-top-503').addEventListener('click', () =>
		run(() => control('POST', 'top/faults', {kind: 'http', status: 503, times: 2}), 'The next 2 calls to the TOP gateway answer 503 (the proxy says 502); the SDK retries. Try "Fetch a new one" in step 1 or "Refresh now" in step 3.'),
	);
	byId('fault-top-isp').addEventListener('click', () =>
		run(() => control('POST', 'top/faults', {kind: 'isp'}), 'The next TOP call answers an isp.* error (a failing backend); the SDK retries it. Try "Refresh now" in step 3.'),
	);
	byId('fault-clear').addEventListener('click', () =>
		run(async () => {
			for (const input of switches) input.checked = false;
			await applyOss();
			await control('DELETE', 'top/faults');
		}, 'All faults cleared.'),
	);

	// Switches survive a reload (the emulator kept the faults; the page shows them again).
	let saved: string[] = [];
	try {
		saved = JSON.parse(sessionStorage.getItem(STATE_KEY) ?? '[]') as string[];
	} catch {}
	for (const input of switches) input.checked = saved.includes(input.id);
}
