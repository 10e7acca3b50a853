/** Rate-limit buckets whose usage a throttle pins at 100% in the response headers. */
export type ThrottleScope = 'app' | 'account' | 'ads_management' | 'ads_insights' | { buc: string };

type GraphErrorOptions = {
  subcode?: number;
  type?: string;
  isTransient?: boolean;
  userTitle?: string;
  userMsg?: string;
  /** For throttles: which usage header reads 100% and the minutes until access returns. */
  throttle?: { scope: ThrottleScope; etaMinutes: number };
};

/** A Graph API failure, rendered in Meta's `{"error":{...}}` envelope with its HTTP status. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: number;
  readonly subcode: number | undefined;
  readonly type: string;
  readonly isTransient: boolean;
  readonly userTitle: string | undefined;
  readonly userMsg: string | undefined;
  readonly throttle: GraphErrorOptions['throttle'];

  constructor(status: number, code: number, message: string, options: GraphErrorOptions = {}) {
    super(message);
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
    this.subcode = options.subcode;
    this.type = options.type ?? 'OAuthException';
    this.isTransient = options.isTransient ?? false;
    this.userTitle = options.userTitle;
    this.userMsg = options.userMsg;
    this.throttle = options.throttle;
  }

  toBody(fbtraceId: string): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { message: this.message, type: this.type, code: this.code };
    if (this.subcode !== undefined) error.error_subcode = this.subcode;
    error.is_transient = this.isTransient;
    if (this.userTitle !== undefined) error.error_user_title = this.userTitle;
    if (this.userMsg !== undefined) error.error_user_msg = this.userMsg;
    error.fbtrace_id = fbtraceId;
    return { error };
  }
}

// BUC number-to-type mapping: the document is sure of 80000/80003/80004 only [SRC singer]; the rest is [MEM].
const BUC_TYPES: Record<number, string> = {
  80000: 'ads_insights',
  80001: 'pages',
  80002: 'instagram',
  80003: 'custom_audience',
  80004: 'ads_management',
  80005: 'leadgen',
  80006: 'messenger',
  80007: 'ads_management',
  80008: 'whatsapp_business_management',
  80009: 'catalog',
  80010: 'catalog',
  80011: 'catalog',
  80012: 'catalog',
  80013: 'catalog',
  80014: 'catalog',
};

/** Codes the throttle fault may inject (meta-graph-api.md 6.4): 4, 17, 613 and 80000..80014. */
export function isThrottleCode(code: number): boolean {
  return code === 4 || code === 17 || code === 613 || (code >= 80000 && code <= 80014);
}

/** Constructors for every error the fake returns, with the codes, subcodes and statuses of meta-graph-api.md 6.4. */
export const graphErrors = {
  unknown(message = 'An unknown error occurred'): GraphError {
    // is_transient for code 1 is not documented; left false (clients retry on code/HTTP 500 anyway).
    return new GraphError(500, 1, message, { subcode: 99 });
  },
  reduceData(): GraphError {
    return new GraphError(
      500,
      1,
      "Please reduce the amount of data you're asking for, then retry your request",
    );
  },
  unavailable(): GraphError {
    return new GraphError(503, 2, '(#2) Service temporarily unavailable', { isTransient: true });
  },
  invalidParameter(message: string, extra: Omit<GraphErrorOptions, 'throttle'> = {}): GraphError {
    return new GraphError(400, 100, message.startsWith('(#100)') ? message : `(#100) ${message}`, extra);
  },
  nonexistingField(field: string, nodeType: string): GraphError {
    return new GraphError(
      400,
      100,
      `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
    );
  },
  objectNotFound(id: string, method: 'get' | 'post' | 'delete' = 'get'): GraphError {
    return new GraphError(
      400,
      100,
      `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      { subcode: 33, type: 'GraphMethodException' },
    );
  },
  unknownPath(component: string): GraphError {
    // Code 2500 for unknown edges is [MEM]; the document only lists 2500 for /me without a token.
    return new GraphError(400, 2500, `Unknown path components: /${component}`);
  },
  tokenRequired(isMe: boolean): GraphError {
    return isMe
      ? new GraphError(
          400,
          2500,
          'An active access token must be used to query information about the current user.',
        )
      : new GraphError(400, 104, 'An access token is required to request this resource.');
  },
  tokenMalformed(): GraphError {
    return new GraphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
  },
  tokenExpired(expiredAt: string, now: string): GraphError {
    return new GraphError(
      400,
      190,
      `Error validating access token: Session has expired on ${expiredAt}. The current time is ${now}.`,
      { subcode: 463 },
    );
  },
  tokenInvalid(): GraphError {
    return new GraphError(
      400,
      190,
      'Error validating access token: The session is invalid because the user logged out or the token was revoked.',
      { subcode: 467 },
    );
  },
  missingReadPermission(): GraphError {
    return new GraphError(
      403,
      200,
      '(#200) Ad account owner has NOT grant ads_management or ads_read permission',
    );
  },
  missingManagePermission(): GraphError {
    return new GraphError(
      400,
      294,
      '(#294) Managing advertisements requires the extended permission ads_management',
    );
  },
  missingBusinessPermission(): GraphError {
    return new GraphError(403, 200, '(#200) Requires business_management permission to manage the object');
  },
  budgetTooLow(minimumText: string): GraphError {
    // The message wording follows the [OBS] quote in meta-graph-api.md 6.4; the currency rendering is a guess.
    return new GraphError(400, 100, 'Invalid parameter', {
      subcode: 1885272,
      userTitle: 'Budget Is Too Low',
      userMsg: `Your ad set budget must be more than ${minimumText} or your ads may not be delivered.`,
    });
  },
  budgetTooHigh(): GraphError {
    // 1885261 is [DOC, 2017 change]; title and message are guesses.
    return new GraphError(400, 100, 'Invalid parameter', {
      subcode: 1885261,
      userTitle: 'Budget Is Too High',
      userMsg: 'Your budget is too high. Please enter a budget below the equivalent of USD 1,000,000.',
    });
  },
  cboConflict(): GraphError {
    // 1885621 is [OBS]; the title is the quoted one, the long message a guess.
    return new GraphError(400, 100, 'Invalid parameter', {
      subcode: 1885621,
      userTitle: 'Budget Conflict: Campaign Already Has a Budget',
      userMsg:
        "You can't set an ad set budget because this ad set's campaign uses Advantage campaign budget. Change the campaign budget instead.",
    });
  },
  budgetChangeLimit(minutesLeft: number): GraphError {
    // Code 17 and the 4-per-hour rule are [DOC]; subcode 2446079 follows the batch example in 5; texts are guesses.
    return new GraphError(400, 17, '(#17) User request limit reached', {
      subcode: 2446079,
      isTransient: true,
      userTitle: 'Too Many Budget Changes',
      userMsg: `This ad set's budget was changed too many times in the last hour. Try again in ${minutesLeft} minutes.`,
      throttle: { scope: 'account', etaMinutes: minutesLeft },
    });
  },
  throttle(code: number, etaMinutes: number, isInsights: boolean): GraphError {
    if (code === 4) {
      return isInsights
        ? new GraphError(
            400,
            4,
            '(#4) There have been too many calls from this app. Wait a bit and try again.',
            {
              subcode: 1504022,
              throttle: { scope: 'app', etaMinutes },
            },
          )
        : new GraphError(400, 4, '(#4) Application request limit reached', {
            throttle: { scope: 'app', etaMinutes },
          });
    }
    if (code === 17) {
      return new GraphError(400, 17, '(#17) User request limit reached', {
        subcode: 2446079,
        isTransient: true,
        throttle: { scope: 'account', etaMinutes },
      });
    }
    if (code === 613) {
      return new GraphError(
        400,
        613,
        '(#613) There have been too many calls from this ad-account. Please wait a bit and try again.',
        { subcode: 1487742, throttle: { scope: 'account', etaMinutes } },
      );
    }
    const buc = BUC_TYPES[code] ?? 'ads_management';
    const anchor = buc === 'ads_insights' ? 'ads-insights' : 'ads-management';
    const verb = code === 80000 ? 'from' : 'to';
    const scope: ThrottleScope = buc === 'ads_insights' || buc === 'ads_management' ? buc : { buc };
    // Subcode 2446079 is documented for 80000/80003/80004; carried on the other BUC codes by analogy.
    return new GraphError(
      400,
      code,
      `(#${code}) There have been too many calls ${verb} this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#${anchor}.`,
      { subcode: 2446079, throttle: { scope, etaMinutes } },
    );
  },
  batchTooLarge(): GraphError {
    // The message and type are [DOC + OBS]; the code is not documented (100 is a guess).
    return new GraphError(400, 100, 'Too many requests in batch message. Maximum batch size is 50', {
      type: 'GraphBatchException',
    });
  },
  batchAborted(): GraphError {
    return new GraphError(
      400,
      960,
      'Request aborted. This could happen if a dependent request failed or the entire request timed out.',
      { type: 'FacebookApiException', isTransient: true },
    );
  },
  dateTooOld(): GraphError {
    return new GraphError(
      400,
      3018,
      '(#3018) The start date of the time range cannot be beyond 37 months from the current date',
    );
  },
} as const;
