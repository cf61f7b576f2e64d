create schema if not exists "finhouse"."analytics_staging"
