CREATE TABLE "insight_revisions" (
	"level" text NOT NULL,
	"entity_id" text NOT NULL,
	"account_id" text NOT NULL,
	"date" date NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"spend" numeric(20, 6) DEFAULT '0' NOT NULL,
	"revenue" numeric(20, 6) DEFAULT '0' NOT NULL,
	"purchases" integer NOT NULL,
	CONSTRAINT "insight_revisions_level_entity_id_date_observed_at_pk" PRIMARY KEY("level","entity_id","date","observed_at")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" text NOT NULL,
	"status" text NOT NULL,
	"since" date NOT NULL,
	"until" date NOT NULL,
	"checkpoint" jsonb DEFAULT '{"done":[]}'::jsonb NOT NULL,
	"stats" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "insight_revisions_account_idx" ON "insight_revisions" USING btree ("account_id","date");--> statement-breakpoint
CREATE INDEX "sync_runs_account_idx" ON "sync_runs" USING btree ("account_id","started_at");