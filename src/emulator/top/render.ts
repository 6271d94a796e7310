/**
Writing answers: TOP bodies as JSON or XML, and the bare HTTP answers of a load balancer.
@module
*/
import {STATUS_CODES, type ServerResponse} from 'node:http';
import {toXml} from './xml.js';

/** How the client asked to be answered. */
export type AnswerFormat = {xml: boolean; simplify: boolean};

/** `format` / `simplify` of a request; TOP's default format is XML. */
export const answerFormat = (params: Record<string, string>): AnswerFormat => ({
	xml: params['format'] !== 'json',
	simplify: params['simplify'] === 'true',
});

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
	if (res.destroyed || res.headersSent) return;
	res.writeHead(status, {'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body)});
	res.end(body);
}

/**
Sends `{[root]: content}` with HTTP 200 (TOP answers errors with 200 too). JSON with `simplify=true` drops the root
of a success answer, as TOP's simplified form does; `error_response` keeps its root.
*/
export function sendTopAnswer(res: ServerResponse, root: string, content: Record<string, unknown>, format: AnswerFormat): void {
	if (format.xml) {
		send(res, 200, 'text/xml;charset=UTF-8', toXml(root, content));
		return;
	}
	const body = format.simplify && root !== 'error_response' ? content : {[root]: content};
	send(res, 200, 'application/json;charset=UTF-8', JSON.stringify(body));
}

/** A non-TOP answer with `status` and a small HTML page, as a load balancer or web server sends. */
export function sendHttpStatus(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
	const reason = STATUS_CODES[status] ?? 'Error';
	for (const [name, value] of Object.entries(headers)) if (!res.headersSent) res.setHeader(name, value);
	send(res, status, 'text/html;charset=UTF-8', `<html><head><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1></body></html>`);
}
