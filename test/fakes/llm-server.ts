// A real HTTP server on 127.0.0.1 that speaks the chat-completions API, scripted per test with a
// queue of responses, so the real `openai` SDK is exercised over a real socket.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. Default: a completion of `text`. */
  body?: unknown;
  /** Shorthand for a 200 completion with this content. */
  text?: string;
  /** Usage to report with `text`; `null` leaves usage out of the reply. */
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  /** Wait this long before answering. */
  delay_ms?: number;
  /** Drop the connection without answering (a connection reset). */
  destroy?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  at: number;
}

export interface FakeLlmServer {
  /** e.g. http://127.0.0.1:12345/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Queue responses; when the queue is empty the server answers 500 with a note, so a test sees it. */
  push(...responses: ScriptedResponse[]): void;
  /** Answers computed from the request, used when the queue is empty (a server that keeps going). */
  respond(handler: (req: RecordedRequest) => ScriptedResponse): void;
  close(): Promise<void>;
}

export function completion(text: string, usage: ScriptedResponse['usage'] = { prompt_tokens: 10, completion_tokens: 5 }, model = 'fake-model'): object {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
  };
}

export async function startLlmServer(): Promise<FakeLlmServer> {
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];
  let handler: ((req: RecordedRequest) => ScriptedResponse) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* keep raw */
      }
      // The model list, as every OpenAI-compatible server has it (nightshift asks for it once, to
      // see that a server is there before a campaign starts); not a chat call, so not recorded.
      if (req.method === 'GET' && (req.url === '/v1/models' || req.url === '/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'test' }] }));
        return;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() };
      requests.push(recorded);
      const known = req.method === 'POST' && (req.url === '/v1/chat/completions' || req.url === '/chat/completions');
      const next: ScriptedResponse = known
        ? (queue.shift() ?? handler?.(recorded) ?? { status: 500, body: { error: { message: 'fake server: no scripted response left' } } })
        : { status: 404, body: { error: { message: `fake server: no route ${req.method} ${req.url}` } } };
      const send = (): void => {
        if (next.destroy) {
          req.socket.destroy();
          return;
        }
        const status = next.status ?? 200;
        const payload = next.body !== undefined ? next.body : completion(next.text ?? 'ok', next.usage === undefined ? undefined : next.usage);
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        res.writeHead(status, { 'content-type': 'application/json', ...next.headers });
        res.end(text);
      };
      if (next.delay_ms) setTimeout(send, next.delay_ms);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    push: (...r) => queue.push(...r),
    respond: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
