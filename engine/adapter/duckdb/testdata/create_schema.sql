create schema if not exists "finhouse"."staging"
