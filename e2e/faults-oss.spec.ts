// Fault matrix, OSS side: 5xx answers and connections dropped in the middle of a part body, on the parts and on
// Initiate/Complete, and credentials that expire early, for single PUTs and multipart uploads, then all at once.
import {expect, MB, openHarness, test, uploadInPage, verifyCase, type UploadSpec} from './faults-kit.ts';

test('OSS 500/503 on parts, Initiate and Complete', async ({page, servers}) => {
	const {oss} = servers.emulators;
	oss.inject({kind: 'http', status: 503, match: {method: 'POST'}, probability: 0.5, seed: 3});
	oss.inject({kind: 'http', status: 500, match: {partNumber: true}, probability: 0.15, seed: 5});
	oss.inject({kind: 'http', status: 503, match: {partNumber: true}, probability: 0.1, seed: 6});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 12 * MB, seed: 201, identity: 'oss-5xx', partSize: 512 * 1024};
	const outcome = await uploadInPage(page, servers, spec);
	const failed = oss.log.filter((entry) => entry.fault === 'http');
	expect(failed.some((entry) => entry.query['partNumber'])).toBe(true);
	expect(failed.some((entry) => entry.method === 'POST')).toBe(true);
	await verifyCase(page, servers, 'OSS 5xx on parts/Initiate/Complete', spec, outcome, {faults: failed.length});
});

test('connections dropped mid-part (a fifth of the part requests)', async ({page, servers}) => {
	const {oss} = servers.emulators;
	oss.inject({kind: 'drop', match: {partNumber: true}, probability: 0.2, seed: 21});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 12 * MB, seed: 202, identity: 'oss-drop', partSize: 512 * 1024};
	const outcome = await uploadInPage(page, servers, spec);
	const dropped = oss.log.filter((entry) => entry.fault === 'drop');
	expect(dropped.length).toBeGreaterThan(0);
	// The connection was cut after part of the body had arrived, not before.
	expect(dropped.some((entry) => entry.bytes > 0)).toBe(true);
	await verifyCase(page, servers, 'OSS connections dropped mid-part', spec, outcome, {faults: dropped.length, bytesCutOff: dropped.reduce((sum, entry) => sum + entry.bytes, 0)});
});

test('credentials expired early: a single PUT, then twice during a multipart upload', async ({page, servers}) => {
	const {oss, top} = servers.emulators;
	await openHarness(page, servers);
	oss.inject({kind: 'expire-credentials', match: {method: 'PUT'}, times: 1});
	const single: UploadSpec = {size: 2 * MB, seed: 203, identity: 'oss-expiry'};
	const first = await uploadInPage(page, servers, single);
	expect(oss.log.some((entry) => entry.code === 'SecurityTokenExpired')).toBe(true);
	await verifyCase(page, servers, 'credentials expired early (single PUT)', single, first, {faults: 1});

	oss.clearLog();
	top.clearCalls();
	oss.inject({kind: 'delay', ms: 0, match: {partNumber: true}, times: 3});
	oss.inject({kind: 'expire-credentials', match: {partNumber: true}, times: 1});
	oss.inject({kind: 'delay', ms: 0, match: {partNumber: true}, times: 6});
	oss.inject({kind: 'expire-credentials', match: {partNumber: true}, times: 1});
	const multi: UploadSpec = {size: 20 * MB, seed: 204, identity: 'oss-expiry', partSize: MB, concurrency: 4};
	const second = await uploadInPage(page, servers, multi);
	expect(oss.log.filter((entry) => entry.fault === 'expire-credentials')).toHaveLength(2);
	expect(top.count('taobao.wdk.iot.wombat.common.gettoken', {ok: true})).toBeGreaterThanOrEqual(2);
	await verifyCase(page, servers, 'credentials expired early twice (multipart)', multi, second, {faults: 2});
});

test('everything at once: 5xx, drops, slow parts and an early expiry', async ({page, servers}) => {
	const {oss} = servers.emulators;
	oss.inject({kind: 'delay', ms: 0, match: {partNumber: true}, times: 5});
	oss.inject({kind: 'expire-credentials', match: {partNumber: true}, times: 1});
	oss.inject({kind: 'http', status: 503, match: {partNumber: true}, probability: 0.08, seed: 31});
	oss.inject({kind: 'drop', match: {partNumber: true}, probability: 0.08, seed: 32});
	oss.inject({kind: 'http', status: 500, match: {method: 'POST'}, probability: 0.3, seed: 33});
	oss.inject({kind: 'delay', ms: 120, match: {partNumber: true}, probability: 0.3, seed: 34});
	await openHarness(page, servers);
	const spec: UploadSpec = {size: 24 * MB, seed: 205, identity: 'oss-chaos', partSize: 512 * 1024, concurrency: 6};
	const outcome = await uploadInPage(page, servers, spec);
	const faults = oss.log.filter((entry) => entry.fault && entry.fault !== 'delay').length;
	expect(faults).toBeGreaterThan(3);
	await verifyCase(page, servers, 'OSS chaos: 5xx + drops + expiry + slow parts', spec, outcome, {faults});
});
