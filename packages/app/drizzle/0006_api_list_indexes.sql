DROP INDEX "recommendations_account_generated_idx";--> statement-breakpoint
CREATE INDEX "recommendations_generated_idx" ON "recommendations" USING btree ("generated_at","id");--> statement-breakpoint
CREATE INDEX "recommendations_reviewed_idx" ON "recommendations" USING btree ("reviewed_at") WHERE "recommendations"."reviewed_at" is not null;--> statement-breakpoint
CREATE INDEX "recommendations_account_generated_idx" ON "recommendations" USING btree ("account_id","generated_at","id");--> statement-breakpoint
-- The API caches sessions and list pages (recommendations, history) and drops them when their tables change: each
-- writing statement notifies, and PostgreSQL delivers the notice only once its transaction commits.
CREATE FUNCTION "notify_data_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('roas_data_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "recommendations_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "recommendations" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();--> statement-breakpoint
CREATE TRIGGER "actions_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "actions" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();--> statement-breakpoint
CREATE TRIGGER "accounts_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "accounts" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();--> statement-breakpoint
CREATE TRIGGER "campaigns_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "campaigns" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();--> statement-breakpoint
CREATE TRIGGER "adsets_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "adsets" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();--> statement-breakpoint
CREATE TRIGGER "ads_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ads" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();--> statement-breakpoint
CREATE TRIGGER "users_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();
--> statement-breakpoint
CREATE TRIGGER "sessions_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sessions" FOR EACH STATEMENT EXECUTE FUNCTION "notify_data_changed"();
