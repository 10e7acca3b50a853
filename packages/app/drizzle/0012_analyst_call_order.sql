DROP INDEX "analyst_calls_run_idx";--> statement-breakpoint
ALTER TABLE "analyst_calls" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "analyst_calls_run_idx" ON "analyst_calls" USING btree ("run_id","seq");