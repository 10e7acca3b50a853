ALTER TABLE "accounts" ADD COLUMN "execution_settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "actions" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "actions" ADD COLUMN "undoes_action_id" uuid;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_undoes_action_id_actions_id_fk" FOREIGN KEY ("undoes_action_id") REFERENCES "public"."actions"("id") ON DELETE set null ON UPDATE no action;