/**
Local stand-ins for the TOP gateway and Aliyun OSS, as strict as the real services, with fault injection and
request logs. Node only.
@module
*/
export {startEmulators, type StartEmulatorsOptions, type EmulatorServer} from './server.js';
export {createStsIssuer, type StsIssuer, type StsCredentials, type StsScope, type StsRefusal} from './sts.js';
export * from './top/index.js';
export * from './oss/index.js';
