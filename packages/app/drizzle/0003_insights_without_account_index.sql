DROP INDEX "ad_insights_account_date_idx";--> statement-breakpoint
DROP INDEX "adset_insights_account_date_idx";--> statement-breakpoint
DROP INDEX "campaign_insights_account_date_idx";