package snowflake

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"

	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
)

func rel(name string) relation.Relation {
	return relation.Relation{Database: "ANALYTICS", Schema: "PUBLIC", Identifier: name}
}

func TestCancelSendsAbortForThatRequest(t *testing.T) {
	s, a := newFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := a.Exec(ctx, longQuery)
	if err == nil {
		t.Fatal("cancelled query returned no error")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("cancel took %v", took)
	}
	var reqID string
	for _, q := range s.Queries() {
		if strings.Contains(q.SQL, "system$wait") && !q.Child {
			reqID = q.RequestID
		}
	}
	if reqID == "" {
		t.Fatal("the long query never reached the fake")
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, ab := range s.Aborts() {
			if ab.RequestID == reqID {
				if !ab.WasRunning {
					t.Errorf("abort for %s came after the query ended", reqID)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no abort-request names request %s; aborts: %+v", reqID, s.Aborts())
}

func TestLoginSendsSessionParameters(t *testing.T) {
	s := fakesnowflake.New(t)
	tg := s.Target()
	tg.Fields["query_tag"] = "strata-nightly"
	a, err := Open(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	l := s.Logins()
	if len(l) != 1 || !l[0].OK {
		t.Fatalf("logins %+v", l)
	}
	p := l[0].SessionParameters
	if p["GO_QUERY_RESULT_FORMAT"] != "JSON" || p["QUERY_TAG"] != "strata-nightly" {
		t.Errorf("session parameters %v, want GO_QUERY_RESULT_FORMAT=JSON and QUERY_TAG", p)
	}
	if l[0].Warehouse != s.Warehouse || l[0].Role != s.Role || l[0].Database != s.Database || l[0].Schema != s.Schema {
		t.Errorf("login %+v does not carry warehouse/role/database/schema", l[0])
	}
}

func TestLoginFailuresNameTheField(t *testing.T) {
	s := fakesnowflake.New(t)
	cases := []struct {
		field, value string
		want         string
	}{
		{"password", "not-the-password", "check `password` (or private_key_path) for user STRATA in the profile"},
		{"account", "someoneelse", "check `account`"},
	}
	for _, c := range cases {
		tg := s.Target()
		tg.Fields[c.field] = c.value
		_, err := Open(context.Background(), tg)
		if err == nil {
			t.Fatalf("%s=%s: no error", c.field, c.value)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "not-the-password") {
			t.Errorf("%s: error %q, want one line containing %q and no secret", c.field, msg, c.want)
		}
	}
	tg := s.Target()
	tg.Fields["port"] = 1 // nothing listens there
	tg.Fields["connect_timeout"] = 2
	_, err := Open(context.Background(), tg)
	if !errors.Is(err, adapter.ErrUnreachable) {
		t.Errorf("refused port: %v, want adapter.ErrUnreachable", err)
	}
}

func TestKeyPairLogin(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: it writes the encrypted PKCS#8 key this test reads")
	}
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "rsa_key.p8")
	gen := exec.Command("sh", "-c", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | "+
		"openssl pkcs8 -topk8 -v2 aes256 -passout pass:s3cret -out "+keyPath)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	key, err := privateKey(keyPath, "", "s3cret")
	if err != nil {
		t.Fatalf("read encrypted key: %v", err)
	}
	s := fakesnowflake.New(t, fakesnowflake.WithPublicKey("svc_strata", &key.PublicKey))
	tg := s.Target()
	delete(tg.Fields, "password")
	tg.Fields["user"] = "svc_strata"
	tg.Fields["private_key_path"] = keyPath
	tg.Fields["private_key_passphrase"] = "s3cret"
	a, err := Open(context.Background(), tg)
	if err != nil {
		t.Fatalf("key-pair login: %v", err)
	}
	_ = a.Close()
	if l := s.Logins(); l[len(l)-1].Authenticator != "SNOWFLAKE_JWT" {
		t.Errorf("login used %q", l[len(l)-1].Authenticator)
	}

	tg.Fields["private_key_passphrase"] = "wrong"
	if _, err := Open(context.Background(), tg); err == nil || !strings.Contains(err.Error(), "private_key_passphrase") {
		t.Errorf("wrong passphrase: %v", err)
	}

	// An unencrypted PEM key the account does not know: the JWT is rejected.
	der, _ := x509.MarshalPKCS8PrivateKey(mustKey(t))
	tg.Fields["private_key_path"] = ""
	tg.Fields["private_key"] = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	_, err = Open(context.Background(), tg)
	if err == nil || !strings.Contains(err.Error(), "check `private_key_path`") {
		t.Errorf("unknown key: %v", err)
	}
}

func mustKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	out, err := exec.Command("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048").Output()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(out)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// TestIncrementalStatementSequence checks what reaches Snowflake, in order, for
// a merge with a composite key, and that rows really merged.
func TestIncrementalStatementSequence(t *testing.T) {
	s, c := newFake(t)
	a := warehouse(c)
	ctx := context.Background()
	req := materialize.Request{
		Relation: rel("FCT_LOANS"), Materialized: "incremental", Transient: true,
		SQL:       "select 1 as loan_id, 'a' as \"Order\", 10 as amount union all select 2, 'b', 20",
		UniqueKey: []string{"loan_id", "Order"}, Label: "model.finhouse.fct_loans",
	}
	if _, err := a.Materialize(ctx, req); err != nil {
		t.Fatal(err)
	}
	s.ResetLog()
	req.IncrementalSQL = "select 2 as loan_id, 'b' as \"Order\", 21 as amount union all select 3, 'c', 30"
	res, err := a.Materialize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	tmp := `"ANALYTICS"\."PUBLIC"\."FCT_LOANS__STRATA_TMP_[0-9A-F]{8}"`
	target := `"ANALYTICS"\."PUBLIC"\."FCT_LOANS"`
	// The relation's kind comes from the listing the first build made: no
	// lookup per build. The new rows' key is checked once before the merge.
	s.AssertSQL(t,
		`create temporary table `+tmp+` as \( select 2 as loan_id, 'b' as "Order", 21 as amount union all select 3, 'c', 30 \)`,
		`describe table `+tmp,
		`describe table `+target,
		`select "LOAN_ID", "Order", count\(\*\) as strata_rows from `+tmp+` where "LOAN_ID" is not null and "Order" is not null group by "LOAN_ID", "Order" having count\(\*\) > 1 order by count\(\*\) desc, "LOAN_ID", "Order" limit 5`,
		`merge into `+target+` as strata_target using `+tmp+` as strata_source on \(strata_source\."LOAN_ID" = strata_target\."LOAN_ID" and strata_source\."Order" = strata_target\."Order"\) when matched then update set "AMOUNT" = strata_source\."AMOUNT" when not matched then insert \("LOAN_ID", "Order", "AMOUNT"\) values \(strata_source\."LOAN_ID", strata_source\."Order", strata_source\."AMOUNT"\)`,
		`drop table if exists `+tmp,
	)
	if res.RowsAffected != 2 {
		t.Errorf("rows affected %d, want 2 (one updated, one inserted)", res.RowsAffected)
	}
	tab, err := a.Query(ctx, `select loan_id, "Order", amount from analytics.public.fct_loans order by 1`, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tab.Rows {
		got = append(got, strings.Join([]string{text(r[0]), text(r[1]), text(r[2])}, "|"))
	}
	if strings.Join(got, ",") != "1|a|10,2|b|21,3|c|30" {
		t.Errorf("after merge: %v", got)
	}
	if strings.Join(tab.Columns, ",") != "LOAN_ID,Order,AMOUNT" {
		t.Errorf("columns %v: unquoted names must come back upper-case", tab.Columns)
	}
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	default:
		return strings.TrimSpace(strings.ReplaceAll(strings.TrimSpace(fmtAny(x)), "\n", " "))
	}
}

func TestTransientByRequest(t *testing.T) {
	s, c := newFake(t)
	a := warehouse(c)
	ctx := context.Background()
	for _, transient := range []bool{true, false} {
		s.ResetLog()
		if _, err := a.Materialize(ctx, materialize.Request{Relation: rel("T"), Materialized: "table", SQL: "select 1 as x", Transient: transient}); err != nil {
			t.Fatal(err)
		}
		got := s.SQL()
		want := "create or replace table "
		if transient {
			want = "create or replace transient table "
		}
		if !strings.HasPrefix(got[len(got)-1], want) {
			t.Errorf("transient=%v: %q", transient, got[len(got)-1])
		}
	}
}

// TestModelErrorNamesModel stands in for the suite's model_error case: the
// error names the model, Snowflake's code and SQLSTATE, and the old table
// survives failed rebuilds of every kind.
func TestModelErrorNamesModel(t *testing.T) {
	_, c := newFake(t)
	a := warehouse(c)
	ctx := context.Background()
	if _, err := a.Materialize(ctx, materialize.Request{Relation: rel("BROKEN"), Materialized: "table", SQL: "select 1 as id"}); err != nil {
		t.Fatal(err)
	}
	for _, mat := range []string{"table", "view", "incremental"} {
		res, err := a.Materialize(ctx, materialize.Request{Relation: rel("BROKEN"), Materialized: mat,
			SQL: "select * from analytics.public.missing_upstream_zz", Label: "model.finhouse.broken"})
		if err == nil {
			t.Fatalf("%s: no error", mat)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "model.finhouse.broken: 002003 (42S02): SQL compilation error: ") || !strings.Contains(msg, "MISSING_UPSTREAM_ZZ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q", mat, msg)
		}
		var se *SQLError
		var drv *gosnowflake.SnowflakeError
		if !errors.As(err, &se) || !errors.As(err, &drv) || drv.Number != 2003 {
			t.Errorf("%s: error does not unwrap to SQLError and the driver's error: %#v", mat, err)
		}
		if len(res.Statements) == 0 || !strings.Contains(strings.Join(res.Statements, "\n"), "missing_upstream_zz") {
			t.Errorf("%s: statements %q", mat, res.Statements)
		}
	}
	k, err := warehouse(c).RelationKind(ctx, rel("BROKEN"))
	if err != nil || k != relation.Table {
		t.Errorf("after failed rebuilds BROKEN is %q (%v), want the old table", k, err)
	}
}

func TestSeedBatchesBindValues(t *testing.T) {
	s, c := newFake(t)
	a := warehouse(c)
	ctx := context.Background()
	rows := make([][]string, 2500)
	for i := range rows {
		rows[i] = []string{itoa(i + 1), "name'" + itoa(i), ""}
	}
	res, err := a.LoadSeed(ctx, materialize.SeedRequest{Relation: rel("BIG_SEED"), Header: []string{"id", "Name", "select"}, Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	var inserts int
	for _, q := range s.Queries() {
		if strings.HasPrefix(q.SQL, "insert into") {
			inserts++
			if strings.Contains(q.SQL, "name'") {
				t.Errorf("values were inlined, not bound")
			}
			if len(q.Bindings) != 1000*3 && len(q.Bindings) != 500*3 {
				t.Errorf("batch with %d bindings", len(q.Bindings))
			}
		}
	}
	if inserts != 3 || res.RowsAffected != 2500 {
		t.Errorf("%d insert batches, %d rows; want 3 batches, 2500 rows", inserts, res.RowsAffected)
	}
	cols, err := a.Columns(ctx, rel("BIG_SEED"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 3 || cols[0].Name != "ID" || cols[1].Name != "Name" || cols[2].Name != "select" || !strings.HasPrefix(cols[0].DataType, "NUMBER") {
		t.Errorf("columns %+v", cols)
	}
}

func itoa(i int) string { return strings.TrimSpace(fmtAny(i)) }
