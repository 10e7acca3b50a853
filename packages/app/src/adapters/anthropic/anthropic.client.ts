import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  RateLimitError,
} from '@anthropic-ai/sdk';

/** One Messages API call as the analyst makes it: a system prompt, one user message, a JSON answer. */
export type MessagesRequest = {
  model: string;
  system: string;
  user: string;
  maxTokens: number;
  /** The JSON schema the answer is held to (structured outputs). */
  jsonSchema: Record<string, unknown>;
};

export type MessagesAnswer = {
  /** The answer's text blocks joined (thinking and other blocks are left out). */
  text: string;
  stopReason: string | null;
  usage: { inputTokens: number; outputTokens: number };
  model: string;
  requestId: string | null;
};

export type AnthropicFailureKind = 'timeout' | 'connection' | 'rate-limited' | 'server' | 'refused';

/** A call that got no usable answer: the kind says whether it may have been billed (timeout, connection). */
export class AnthropicCallError extends Error {
  constructor(
    readonly kind: AnthropicFailureKind,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'AnthropicCallError';
  }
}

export type MessagesClient = { create(request: MessagesRequest): Promise<MessagesAnswer> };

export type AnthropicClientOptions = {
  apiKey: string;
  baseURL: string;
  timeoutMs: number;
  /** Retries of 429, 5xx and dropped connections, with the SDK's backoff and Retry-After. */
  maxRetries: number;
};

const MESSAGE_LIMIT = 500;

/**
 * The Anthropic SDK behind a narrow interface: the base URL comes from configuration (a local fake in
 * tests), failures become `AnthropicCallError`s whose text never contains the API key.
 */
export function createMessagesClient(options: AnthropicClientOptions): MessagesClient {
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
  });
  const clean = (text: string) => text.split(options.apiKey).join('***').slice(0, MESSAGE_LIMIT);
  return {
    async create(request) {
      let message: Anthropic.Message & { _request_id?: string | null };
      try {
        message = await client.messages.create({
          model: request.model,
          max_tokens: request.maxTokens,
          system: request.system,
          messages: [{ role: 'user', content: request.user }],
          output_config: { effort: 'low', format: { type: 'json_schema', schema: request.jsonSchema } },
        });
      } catch (error) {
        throw failure(error, clean);
      }
      const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
      return {
        text,
        stopReason: message.stop_reason,
        usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
        model: message.model,
        requestId: message._request_id ?? null,
      };
    },
  };
}

function failure(error: unknown, clean: (text: string) => string): AnthropicCallError {
  if (error instanceof APIConnectionTimeoutError)
    return new AnthropicCallError('timeout', null, clean(`no answer in time: ${error.message}`));
  if (error instanceof APIConnectionError)
    return new AnthropicCallError('connection', null, clean(`cannot reach the API: ${error.message}`));
  if (error instanceof RateLimitError)
    return new AnthropicCallError('rate-limited', 429, clean(`rate limited: ${error.message}`));
  if (error instanceof APIError) {
    const status = typeof error.status === 'number' ? error.status : null;
    const kind = status !== null && status >= 500 ? 'server' : 'refused';
    return new AnthropicCallError(kind, status, clean(`HTTP ${status ?? '?'}: ${error.message}`));
  }
  return new AnthropicCallError(
    'connection',
    null,
    clean(error instanceof Error ? error.message : String(error)),
  );
}
