create schema if not exists "ANALYTICS"."FINHOUSE_STAGING"
