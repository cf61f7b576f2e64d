create schema if not exists "analytics_staging"
