CREATE TABLE "account_health_alerts" (
	"account_id" text NOT NULL,
	"check" text NOT NULL,
	"severity" text NOT NULL,
	"fingerprint" text NOT NULL,
	"message" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"alerted_at" timestamp with time zone,
	"tripped_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "account_health_alerts_account_id_check_pk" PRIMARY KEY("account_id","check")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "slack_webhook_ciphertext" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "rate_limit_usage" jsonb;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "account_health_alerts" ADD CONSTRAINT "account_health_alerts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_dedupe_key_unique" UNIQUE("dedupe_key");