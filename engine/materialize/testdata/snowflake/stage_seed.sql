create temporary table "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" (
    "LOAN_ID" bigint,
    "Order" text,
    "AMOUNT" numeric(18,2)
)
