package compile

import "testing"

func TestKeepUserAliases(t *testing.T) {
	sub := emptyRelation(`"db"."s"."orders"`, "orders")
	cases := []struct{ in, want string }{
		{"select * from " + sub, `select * from (select * from "db"."s"."orders" where false limit 0) _dbt_limit_subq_orders`},
		{"select * from " + sub + " o join x", `select * from (select * from "db"."s"."orders" where false limit 0) o join x`},
		{"select * from " + sub + " as o", `select * from (select * from "db"."s"."orders" where false limit 0) as o`},
		{"select * from " + sub + "\n  AS \"O\"", "select * from (select * from \"db\".\"s\".\"orders\" where false limit 0)\n  AS \"O\""},
		{"select * from " + sub + " join y on true", `select * from (select * from "db"."s"."orders" where false limit 0) _dbt_limit_subq_orders join y on true`},
		{"select * from " + sub + "\nwhere 1 = 1", "select * from (select * from \"db\".\"s\".\"orders\" where false limit 0) _dbt_limit_subq_orders\nwhere 1 = 1"},
		{"select * from " + sub + ", other", `select * from (select * from "db"."s"."orders" where false limit 0) _dbt_limit_subq_orders, other`},
	}
	for _, c := range cases {
		if got := keepUserAliases(c.in); got != c.want {
			t.Errorf("keepUserAliases(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	if got := emptyRelation("x", "my-table.v2"); got != "(select * from x where false limit 0) _dbt_limit_subq_my_table_v2" {
		t.Errorf("alias of an odd identifier: %q", got)
	}
}
