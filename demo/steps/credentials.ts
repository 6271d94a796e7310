// Step 3: STS credentials for direct upload — bucket, dir, region, a live countdown, and "refresh now". Renewals the
// SDK makes on its own during an upload (after "Expire credentials now") show up here too.
import type {OssCredentials} from '../../src/index.js';
import type {Session} from '../session.js';
import {byId, clock, describeError, formatCountdown, mask} from '../util.js';
import {markDone} from './state.js';

export function setupCredentialsStep(session: Session): void {
	const form = byId<HTMLFormElement>('credentials-form');
	const merchant = byId<HTMLInputElement>('merchant-code');
	const status = byId('credentials-status');
	let current: OssCredentials | undefined;
	let asked = false; // Whether the credentials being fetched were asked for by a click here.

	const readParams = () => {
		const merchantCode = merchant.value.trim();
		session.credentialParams = merchantCode ? {merchantCode} : {};
	};
	merchant.addEventListener('change', readParams);

	const tick = () => {
		if (!current) return;
		byId('cred-countdown').textContent = formatCountdown(current.expiresAt - Date.now());
	};
	setInterval(tick, 1000);

	session.onCredentials(({credentials, renewed, count}) => {
		current = credentials;
		byId('cred-bucket').textContent = credentials.bucket;
		byId('cred-dir').textContent = credentials.dir || '(whole bucket)';
		byId('cred-region').textContent = credentials.region;
		byId('cred-endpoint').textContent = credentials.endpoint;
		byId('cred-key').textContent = mask(credentials.accessKeyId);
		byId('cred-expires').textContent = `(at ${new Date(credentials.expiresAt).toLocaleTimeString()})`;
		byId('cred-count').textContent = String(count);
		tick();
		markDone('credentials');
		if (renewed && !asked) {
			status.textContent = `↻ ${clock(Date.now())}: the SDK fetched new credentials by itself during an upload (OSS refused the old ones, or they were about to expire) and went on.`;
		}
	});

	const get = async (forceRefresh: boolean) => {
		readParams();
		asked = true;
		status.textContent = forceRefresh ? 'Fetching new credentials…' : 'Getting credentials…';
		try {
			const before = current?.accessKeyId;
			const credentials = await session.getCredentials(forceRefresh);
			status.textContent =
				credentials.accessKeyId === before ? `Still valid: the SDK answered from memory (no request).` : `${forceRefresh ? 'Refreshed' : 'Fetched'} at ${clock(Date.now())} through the proxy.`;
		} catch (error) {
			status.textContent = `Failed: ${describeError(error)}`;
		} finally {
			asked = false;
		}
	};
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		void get(false);
	});
	byId('refresh-credentials').addEventListener('click', () => void get(true));
}
