create or replace transient table "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" (
    "ID" number(38,0),
    "RATE" number(3,2),
    "OK" boolean,
    "DAY" date,
    "AT" timestamp_ntz,
    "AT_TZ" timestamp_tz,
    "select" varchar,
    "Mixed Case" varchar,
    "CODE" varchar(3)
)
