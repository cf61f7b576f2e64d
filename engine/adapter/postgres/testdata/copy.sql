copy "analytics"."fct_Loans__strata_tmp_0a1b2c3d" ("id", "select") from stdin with (format csv)
