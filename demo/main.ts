// The demo walkthrough: plain TypeScript, no framework. Each step lives in steps/*.ts; the request log and the fault
// switches sit in the side panel. Everything talks to `topsec dev` on this page's origin.
import {setupFaults} from './faults.js';
import {createThroughputPlot} from './plot.js';
import {createRequestLog} from './request-log.js';
import {createSession} from './session.js';
import {setupCredentialsStep} from './steps/credentials.js';
import {setupIdentityStep} from './steps/identity.js';
import {setupResultStep} from './steps/result.js';
import {setupUploadStep} from './steps/upload.js';

const proxy = new URLSearchParams(location.search).get('proxy') ?? '/top';

// First, so that it sees every request.
const log = createRequestLog({proxy});
const session = createSession({proxy, fetch: log.fetch, defaultIdentity: {openId: 'demo-open-id-001', oeid: 'demo-oeid-001', ieid: 'demo-ieid-001'}});

setupIdentityStep(session, log);
setupCredentialsStep(session);
setupUploadStep(session, log, createThroughputPlot(), setupResultStep(session, log.fetch));
setupFaults(log.fetch);
document.documentElement.dataset['ready'] = 'true';
