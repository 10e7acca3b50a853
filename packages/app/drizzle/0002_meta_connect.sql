CREATE TABLE "oauth_states" (
	"nonce_hash" text PRIMARY KEY NOT NULL,
	"return_to" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "token_scopes" jsonb;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "sync_blocked_reason" text;