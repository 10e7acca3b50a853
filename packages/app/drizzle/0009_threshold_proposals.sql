CREATE TABLE "threshold_proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"title" text NOT NULL,
	"changes" jsonb NOT NULL,
	"evidence" jsonb NOT NULL,
	"reason" text NOT NULL,
	"expected_effect" jsonb,
	"based_on_settings_version" integer NOT NULL,
	"status" text DEFAULT 'proposed' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"resulting_settings_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "threshold_proposals" ADD CONSTRAINT "threshold_proposals_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "threshold_proposals_scope_idx" ON "threshold_proposals" USING btree ("scope","status","created_at");