/**
Types shared by the OSS half: credentials as the client hands them out, and what an upload returns.
@module
*/

/** Temporary (STS) credentials for direct upload to one bucket directory, as `client.getOssCredentials()` returns them. */
export type OssCredentials = {
	accessKeyId: string;
	accessKeySecret: string;
	securityToken: string;
	/** Bucket name. */
	bucket: string;
	/** Endpoint host such as `oss-cn-hangzhou.aliyuncs.com`, or with a scheme and port for a local emulator (`http://oss-cn-hangzhou.localhost:8787`). */
	endpoint: string;
	/** Region for signature V4, e.g. `cn-hangzhou`. */
	region: string;
	/** Key prefix these credentials may write under, e.g. `uploads/m1/` (`''` = whole bucket). */
	dir: string;
	/** When the credentials stop working, epoch ms (client clock). */
	expiresAt: number;
};
