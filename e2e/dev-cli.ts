// Starts the real `topsec dev` command as a user would (`node bin/topsec.js dev --port 0`) and stops it with
// Ctrl-C (SIGINT), for the demo specs.
import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export type DevCli = {
	/** `http://127.0.0.1:<port>` as the command printed it (no trailing slash). */
	url: string;
	/** Everything the command printed. */
	output(): string;
	/** Sends SIGINT and resolves with the exit code. */
	stop(): Promise<number | null>;
};

export async function startDevCli(): Promise<DevCli> {
	const root = fileURLToPath(new URL('../', import.meta.url));
	const child: ChildProcess = spawn(process.execPath, ['bin/topsec.js', 'dev', '--port', '0'], {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, PORT: ''}});
	let output = '';
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`topsec dev printed no URL within 15 s:\n${output}`)), 15_000);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /Demo:\s+(http:\/\/\S+?)\/?(\s|$)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]!);
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		void exited.then((code) => reject(new Error(`topsec dev exited (${code}) before printing its URL:\n${output}`)));
	});
	return {
		url,
		output: () => output,
		async stop() {
			if (child.exitCode !== null) return child.exitCode;
			child.kill('SIGINT');
			return exited;
		},
	};
}
