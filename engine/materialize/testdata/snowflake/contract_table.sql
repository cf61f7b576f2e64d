create table "FINHOUSE"."ANALYTICS"."FCT_LOANS" (
    "LOAN_ID" bigint not null constraint "pk_loans" primary key,
    "AMOUNT" numeric(18,2),
    "USER_ID" bigint
, unique ("LOAN_ID", "AMOUNT"), foreign key ("USER_ID") references "FINHOUSE"."ANALYTICS"."USERS" (ID))
-- warning: column LOAN_ID: the primary_key constraint is not enforced by snowflake: it is created as metadata only (set warn_unenforced: false on it to silence this)
-- warning: column AMOUNT: the check constraint is not supported by snowflake and was not created (set warn_unsupported: false on it to silence this)
-- warning: the unique constraint is not enforced by snowflake: it is created as metadata only (set warn_unenforced: false on it to silence this)
-- warning: the foreign_key constraint is not enforced by snowflake: it is created as metadata only (set warn_unenforced: false on it to silence this)
