create schema if not exists "FINHOUSE"."ANALYTICS_STAGING"
