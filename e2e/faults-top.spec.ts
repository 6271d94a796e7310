// Fault matrix, TOP side: the gateway answers 5xx, isp.* errors, throttling, drops the connection, or is slower than
// the proxy's timeout, while the page gets its secToken and its OSS credentials (first fetch and the refresh in the
// middle of an upload). Every upload must still land intact with the SDK state clean.
import {expect, GETTOKEN, MB, openHarness, PROXY_TIMEOUT_MS, SEC, test, uploadInPage, verifyCase, type UploadSpec} from './faults-kit.ts';

const slow = PROXY_TIMEOUT_MS + 1000;

test('TOP 5xx and a dropped connection while fetching the secToken', async ({page, servers}) => {
	const {top} = servers.emulators;
	// At most two faults per call: the client's transport retries three times, one retry stays spare.
	top.inject({kind: 'http', status: 503, method: SEC});
	top.inject({kind: 'drop', method: SEC});
	top.inject({kind: 'http', status: 500, method: GETTOKEN});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 6 * MB, seed: 101, identity: 'top-5xx', partSize: MB};
	const outcome = await uploadInPage(page, servers, spec);
	const secCalls = top.calls.filter((call) => call.method === SEC).map((call) => call.fault ?? 'ok');
	expect(secCalls.slice(0, 2)).toEqual(['http', 'drop']);
	expect(secCalls.at(-1)).toBe('ok');
	expect(top.calls.filter((call) => call.method === GETTOKEN)[0]?.fault).toBe('http');
	await verifyCase(page, servers, 'TOP 5xx/drop on secToken', spec, outcome, {faults: 3});
});

test('TOP isp.* and throttling errors on both the secToken and the credentials', async ({page, servers}) => {
	const {top} = servers.emulators;
	top.inject({kind: 'isp', method: SEC});
	top.inject({kind: 'error', code: 7, msg: 'App Call Limited', subCode: 'accesscontrol.limited-by-app-access-count', method: SEC});
	top.inject({kind: 'isp', subCode: 'isp.top-remote-connection-timeout', method: GETTOKEN, times: 2});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 3 * MB, seed: 102, identity: 'top-isp'};
	const outcome = await uploadInPage(page, servers, spec);
	expect(top.count(SEC, {ok: true})).toBeGreaterThanOrEqual(1);
	expect(top.count(GETTOKEN, {ok: true})).toBeGreaterThanOrEqual(1);
	expect(top.calls.filter((call) => call.fault).length).toBe(4);
	await verifyCase(page, servers, 'TOP isp.*/throttled on secToken and credentials', spec, outcome, {faults: 4});
});

test('TOP slower than the proxy timeout (504) on the secToken and on the credentials', async ({page, servers}) => {
	const {top} = servers.emulators;
	top.inject({kind: 'delay', ms: slow, method: SEC});
	top.inject({kind: 'delay', ms: slow, method: GETTOKEN});
	top.inject({kind: 'http', status: 502, method: GETTOKEN});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 10 * MB, seed: 103, identity: 'top-timeout', partSize: 2 * MB};
	const outcome = await uploadInPage(page, servers, spec);
	const timeouts = servers.proxyLog.filter((line) => line.includes('topsec.upstream-timeout')).length;
	expect(timeouts).toBeGreaterThanOrEqual(2);
	await verifyCase(page, servers, 'TOP timeouts (504) on secToken and credentials', spec, outcome, {faults: 3, proxyTimeouts: timeouts});
});

test('credentials expire mid-upload and the refresh meets TOP timeouts, isp.* and a drop', async ({page, servers}) => {
	const {top, oss} = servers.emulators;
	await openHarness(page, servers);
	// Parts 1–4 go through, the 5th expires every credential; the renewal then times out and is dropped before it
	// works (then TOP's isp.* answer for the renewal of the renewal, after a second expiry).
	oss.inject({kind: 'delay', ms: 0, match: {partNumber: true}, times: 4});
	oss.inject({kind: 'expire-credentials', match: {partNumber: true}, times: 1});
	oss.inject({kind: 'delay', ms: 0, match: {partNumber: true}, times: 4});
	oss.inject({kind: 'expire-credentials', match: {partNumber: true}, times: 1});
	top.inject({kind: 'delay', ms: 0, method: GETTOKEN, times: 1});
	top.inject({kind: 'delay', ms: slow, method: GETTOKEN});
	top.inject({kind: 'drop', method: GETTOKEN});
	top.inject({kind: 'delay', ms: 0, method: GETTOKEN, times: 1});
	top.inject({kind: 'isp', method: GETTOKEN, times: 2});
	const spec: UploadSpec = {size: 16 * MB, seed: 104, identity: 'top-refresh', partSize: MB, concurrency: 3};
	const outcome = await uploadInPage(page, servers, spec);
	expect(oss.log.filter((entry) => entry.fault === 'expire-credentials')).toHaveLength(2);
	const refreshes = top.calls.filter((call) => call.method === GETTOKEN).map((call) => call.fault ?? 'ok');
	expect(refreshes.filter((fault) => fault === 'drop')).toHaveLength(1);
	expect(refreshes.filter((fault) => fault === 'isp')).toHaveLength(2);
	expect(servers.proxyLog.filter((line) => line.includes('topsec.upstream-timeout')).length).toBeGreaterThanOrEqual(1);
	await verifyCase(page, servers, 'credentials expired early + TOP faults on refresh', spec, outcome, {faults: 6});
});
