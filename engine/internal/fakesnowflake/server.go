// Package fakesnowflake is an in-process fake of Snowflake's REST endpoints, for
// tests that drive the real github.com/snowflakedb/gosnowflake driver over HTTP:
// login (password and key-pair JWT with signature check), query-request with a
// recorder of every statement, canned or engine-computed results (JSON format
// only), long-query polling (code 333334), abort-request, token renewal, close,
// heartbeat and telemetry. ../../../shared/snowflake-protocol.md lists the facts
// it is built on.
//
// Answers are tried in order: responders registered with On/OnRegexp, then the
// Engine (see WithEngine; the sfduck subpackage offers one backed by DuckDB),
// then a few built-ins (SELECT 1, BEGIN/COMMIT/ROLLBACK, ALTER SESSION, USE).
//
// A Server is safe for concurrent use by any number of driver connections.
package fakesnowflake

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Binding is one bound parameter as the driver sent it. Value is a string, nil
// (SQL NULL) or a []any for array binds.
type Binding struct {
	Key   string
	Type  string
	Value any
}

// Query is one query-request as received.
type Query struct {
	// Seq orders queries across the whole server (1, 2, …).
	Seq       int
	SessionID int64
	RequestID string
	QueryID   string
	SQL       string
	Bindings  []Binding
	// Parameters are the request's per-statement parameters (QUERY_TAG,
	// MULTI_STATEMENT_COUNT, …).
	Parameters map[string]any
	Async      bool
	// Session holds the session parameters in force when the query arrived.
	Session map[string]string
	// Child is true for a statement split out of a multi-statement request.
	Child bool
}

// Login is one login-request as received.
type Login struct {
	Account, User, Authenticator string
	Database, Schema, Warehouse  string
	Role                         string
	// SessionParameters are the SESSION_PARAMETERS the driver sent (upper-case keys).
	SessionParameters map[string]any
	// OK says whether the fake accepted it; Code is the error code otherwise.
	OK   bool
	Code string
}

// Abort is one abort-request.
type Abort struct {
	// RequestID names the query-request being cancelled.
	RequestID string
	// QueryID is the matching query, "" when none was known.
	QueryID string
	// WasRunning says whether the query was still running when the abort came.
	WasRunning bool
}

// Responder computes one statement's answer. ctx is cancelled when the query is
// aborted or the server stops.
type Responder func(ctx context.Context, q Query) (*Result, error)

// Returns answers with a fixed result.
func Returns(r *Result) Responder {
	return func(context.Context, Query) (*Result, error) { return r, nil }
}

// Fails answers with a Snowflake error.
func Fails(code, sqlState, message string) Responder {
	return func(context.Context, Query) (*Result, error) {
		return nil, &Error{Code: code, SQLState: sqlState, Message: message}
	}
}

// Hangs runs until the query is aborted, then fails as Snowflake does.
func Hangs() Responder {
	return func(ctx context.Context, _ Query) (*Result, error) {
		<-ctx.Done()
		return nil, errCanceled
	}
}

// Sleeps waits d (or until aborted), then answers r.
func Sleeps(d time.Duration, r *Result) Responder {
	return func(ctx context.Context, _ Query) (*Result, error) {
		select {
		case <-time.After(d):
			return r, nil
		case <-ctx.Done():
			return nil, errCanceled
		}
	}
}

// SessionInfo describes a session to an Engine.
type SessionInfo struct {
	ID                          int64
	User                        string
	Database, Schema, Warehouse string
	Role                        string
}

// Engine answers the statements no responder matched.
type Engine interface {
	// NewSession is called at login; each Snowflake session gets its own state
	// (current schema, open transaction).
	NewSession(info SessionInfo) (EngineSession, error)
}

// EngineSession runs one session's statements, one at a time.
type EngineSession interface {
	Run(ctx context.Context, q Query) (*Result, error)
	Close() error
}

// Option configures a Server.
type Option func(*Server)

// WithUser registers a password user (several may be registered).
func WithUser(user, password string) Option {
	return func(s *Server) { s.passwords[strings.ToUpper(user)] = password }
}

// WithPublicKey registers a key-pair user: JWT logins signed by the matching
// private key are accepted.
func WithPublicKey(user string, key *rsa.PublicKey) Option {
	return func(s *Server) {
		u := strings.ToUpper(user)
		s.keys[u] = append(s.keys[u], key)
	}
}

// WithEngine sets the engine for statements no responder matches.
func WithEngine(e Engine) Option { return func(s *Server) { s.engine = e } }

// WithNames sets the account, database, schema, warehouse and role the helpers
// point at (defaults: FAKEACCT, ANALYTICS, PUBLIC, COMPUTE_WH, TRANSFORMER).
func WithNames(account, database, schema, warehouse, role string) Option {
	return func(s *Server) {
		s.Account, s.Database, s.Schema, s.Warehouse, s.Role = account, database, schema, warehouse, role
	}
}

// WithPollWait sets how long query-request and result polls are held open
// before answering "still running" (333334). Snowflake holds about 45 s; the
// default here is 2 s so that any slow test query exercises polling.
func WithPollWait(d time.Duration) Option { return func(s *Server) { s.pollWait = d } }

// Server is a running fake.
type Server struct {
	// URL is the base URL (http://127.0.0.1:PORT).
	URL string
	// Default names and credentials, used by Config and Target.
	Account, User, Password     string
	Database, Schema, Warehouse string
	Role                        string

	t         testing.TB
	http      *httptest.Server
	base      context.Context
	stop      context.CancelFunc
	engine    Engine
	pollWait  time.Duration
	passwords map[string]string
	keys      map[string][]*rsa.PublicKey

	mu         sync.Mutex
	nextID     int64
	sessions   map[string]*session // by session token
	masters    map[string]*session // by master token
	running    map[string]*run     // by query id
	byRequest  map[string]*run     // by request id
	responders []responder
	logins     []Login
	queries    []Query
	aborts     []Abort
	calls      []string
	unexpected []string
}

type responder struct {
	exact string
	re    *regexp.Regexp
	fn    Responder
}

type session struct {
	id        int64
	token     string
	master    string
	expired   bool
	user      string
	params    map[string]string
	engine    EngineSession
	engineErr error
	runMu     sync.Mutex // one statement at a time per session, as in Snowflake's driver
}

type run struct {
	q      Query
	cancel context.CancelFunc
	done   chan struct{}
	res    *Result
	err    error
	// multi-statement parent: child query ids and their statement types.
	children []string
	types    []int64
}

// New starts a fake on a local port and stops it when the test ends. It sets
// SNOWFLAKE_DISABLE_PLATFORM_DETECTION (unless already set) so the driver does
// not probe cloud metadata services; minicore loading starts at the driver's
// package init, so SF_DISABLE_MINICORE=true must come from the environment
// (or build with -tags minicore_disabled).
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	if _, ok := os.LookupEnv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION"); !ok {
		t.Setenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true")
	}
	s := &Server{
		Account: "FAKEACCT", User: "STRATA", Password: "fake-password",
		Database: "ANALYTICS", Schema: "PUBLIC", Warehouse: "COMPUTE_WH", Role: "TRANSFORMER",
		t:         t,
		pollWait:  2 * time.Second,
		passwords: map[string]string{},
		keys:      map[string][]*rsa.PublicKey{},
		sessions:  map[string]*session{},
		masters:   map[string]*session{},
		running:   map[string]*run{},
		byRequest: map[string]*run{},
	}
	s.passwords[s.User] = s.Password
	for _, o := range opts {
		o(s)
	}
	s.base, s.stop = context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /session/v1/login-request", s.handleLogin)
	mux.HandleFunc("POST /session/token-request", s.handleRenew)
	mux.HandleFunc("POST /session/heartbeat", s.withSession(s.handleOK))
	mux.HandleFunc("POST /session", s.handleClose)
	mux.HandleFunc("POST /telemetry/send", s.withSession(s.handleOK))
	mux.HandleFunc("POST /queries/v1/query-request", s.withSession(s.handleQuery))
	mux.HandleFunc("POST /queries/v1/abort-request", s.withSession(s.handleAbort))
	mux.HandleFunc("GET /queries/{qid}/result", s.withSession(s.handleResult))
	mux.HandleFunc("GET /monitoring/queries/{qid}", s.withSession(s.handleMonitor))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.unexpected = append(s.unexpected, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		http.NotFound(w, r)
	})
	s.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls = append(s.calls, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	s.URL = s.http.URL
	t.Cleanup(s.close)
	return s
}

func (s *Server) close() {
	s.stop()
	s.http.Close()
	s.mu.Lock()
	sessions := make([]*session, 0, len(s.sessions))
	for _, se := range s.sessions {
		sessions = append(sessions, se)
	}
	s.sessions = map[string]*session{}
	unexpected := s.unexpected
	s.mu.Unlock()
	for _, se := range sessions {
		if se.engine != nil {
			_ = se.engine.Close()
		}
	}
	if len(unexpected) > 0 {
		s.t.Errorf("fakesnowflake: unexpected requests: %s", strings.Join(unexpected, ", "))
	}
}

// Host and Port of the listener.
func (s *Server) Host() string { u, _ := url.Parse(s.URL); return u.Hostname() }

// Port of the listener.
func (s *Server) Port() int {
	u, _ := url.Parse(s.URL)
	p, _ := strconv.Atoi(u.Port())
	return p
}

// ProfileFields are the profiles.yaml keys (dbt-snowflake names plus host, port
// and protocol) that point strata's snowflake adapter at this fake.
func (s *Server) ProfileFields() map[string]any {
	return map[string]any{
		"type":            "snowflake",
		"account":         s.Account,
		"user":            s.User,
		"password":        s.Password,
		"database":        s.Database,
		"schema":          s.Schema,
		"warehouse":       s.Warehouse,
		"role":            s.Role,
		"host":            s.Host(),
		"port":            s.Port(),
		"protocol":        "http",
		"connect_retries": 1,
		"threads":         4,
	}
}

// On answers statements whose text equals sql (after trimming spaces and a
// trailing semicolon) with fn. Later registrations win over earlier ones.
func (s *Server) On(sql string, fn Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responders = append(s.responders, responder{exact: normalizeSQL(sql), fn: fn})
}

// OnRegexp answers statements matching expr with fn.
func (s *Server) OnRegexp(expr string, fn Responder) {
	re := regexp.MustCompile(expr)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responders = append(s.responders, responder{re: re, fn: fn})
}

// ExpireSessions makes every current session token expired: the next request
// on each gets code 390112, which makes the driver renew its token.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, se := range s.sessions {
		se.expired = true
	}
}

// Queries returns every query-request received so far, in order.
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.queries...)
}

// SQL returns the text of every statement received so far, in order
// (multi-statement requests appear as their split children).
func (s *Server) SQL() []string {
	var out []string
	for _, q := range s.Queries() {
		if q.Parameters["MULTI_STATEMENT_COUNT"] != nil && !q.Child {
			continue
		}
		out = append(out, q.SQL)
	}
	return out
}

// Logins returns every login-request received so far.
func (s *Server) Logins() []Login {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Login(nil), s.logins...)
}

// Aborts returns every abort-request received so far.
func (s *Server) Aborts() []Abort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Abort(nil), s.aborts...)
}

// Calls returns "METHOD /path" for every HTTP request received so far.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// ResetLog forgets recorded queries, logins, aborts and calls.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries, s.logins, s.aborts, s.calls = nil, nil, nil, nil
}

// AssertSQL fails the test unless the statements received match want in order,
// each element a regular expression matched against the whole statement text
// (case-insensitive, whitespace collapsed).
func (s *Server) AssertSQL(t testing.TB, want ...string) {
	t.Helper()
	got := s.SQL()
	if len(got) != len(want) {
		t.Fatalf("fakesnowflake got %d statements, want %d:\n%s", len(got), len(want), strings.Join(got, "\n---\n"))
	}
	for i := range want {
		re := regexp.MustCompile(`(?is)^` + want[i] + `$`)
		if g := collapse(got[i]); !re.MatchString(g) {
			t.Errorf("statement %d:\n got: %s\nwant: %s", i+1, g, want[i])
		}
	}
}

func collapse(sql string) string { return strings.Join(strings.Fields(sql), " ") }

func normalizeSQL(sql string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(sql), ";"))
}

// ---- HTTP plumbing ----

type envelope struct {
	Success bool    `json:"success"`
	Code    *string `json:"code"`
	Message *string `json:"message"`
	Data    any     `json:"data"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, data any) { writeJSON(w, envelope{Success: true, Data: data}) }

func fail(w http.ResponseWriter, code, msg string, data any) {
	writeJSON(w, envelope{Success: false, Code: &code, Message: &msg, Data: data})
}

func tokenOf(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const p = `Snowflake Token="`
	if !strings.HasPrefix(h, p) {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, p), `"`)
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, se *session)

// withSession resolves the session token; unknown tokens get 390104 and
// expired ones 390112 (which makes the driver renew).
func (s *Server) withSession(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		se := s.sessions[tokenOf(r)]
		expired := se != nil && se.expired
		s.mu.Unlock()
		switch {
		case se == nil:
			fail(w, "390104", "User must login again to access the service.", nil)
		case expired:
			fail(w, "390112", "Your session has expired. Please login again.", nil)
		default:
			h(w, r, se)
		}
	}
}

func (s *Server) id() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return s.nextID
}

func (s *Server) handleOK(w http.ResponseWriter, r *http.Request, _ *session) {
	_, _ = io.Copy(io.Discard, r.Body)
	ok(w, nil)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Data struct {
			AccountName       string         `json:"ACCOUNT_NAME"`
			LoginName         string         `json:"LOGIN_NAME"`
			Password          string         `json:"PASSWORD"`
			Authenticator     string         `json:"AUTHENTICATOR"`
			Token             string         `json:"TOKEN"`
			SessionParameters map[string]any `json:"SESSION_PARAMETERS"`
		} `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(w, "390100", "bad login body: "+err.Error(), nil)
		return
	}
	d := body.Data
	q := r.URL.Query()
	l := Login{
		Account: d.AccountName, User: d.LoginName, Authenticator: d.Authenticator,
		Database: q.Get("databaseName"), Schema: q.Get("schemaName"),
		Warehouse: q.Get("warehouse"), Role: q.Get("roleName"),
		SessionParameters: d.SessionParameters,
	}
	record := func() {
		s.mu.Lock()
		s.logins = append(s.logins, l)
		s.mu.Unlock()
	}
	if !strings.EqualFold(d.AccountName, s.Account) {
		// Snowflake's front end does not know the account: the driver turns
		// 403 into 260008 "failed to connect to db".
		l.Code = "403"
		record()
		w.WriteHeader(http.StatusForbidden)
		return
	}
	user := strings.ToUpper(d.LoginName)
	switch strings.ToUpper(d.Authenticator) {
	case "SNOWFLAKE_JWT":
		u, err := s.verifyJWT(d.Token)
		if err != nil {
			l.Code = "390144"
			record()
			fail(w, "390144", "JWT token is invalid. ["+err.Error()+"]", nil)
			return
		}
		user, l.User = u, u
	case "", "SNOWFLAKE":
		want, known := s.passwords[user]
		if !known || want != d.Password {
			l.Code = "390100"
			record()
			fail(w, "390100", "Incorrect username or password was specified.", nil)
			return
		}
	default:
		l.Code = "390101"
		record()
		fail(w, "390101", "the fake does not support authenticator "+d.Authenticator, nil)
		return
	}
	l.OK = true
	record()

	id := s.id()
	se := &session{
		id: id, user: user,
		token:  fmt.Sprintf("session-token-%d", id),
		master: fmt.Sprintf("master-token-%d", id),
		params: map[string]string{},
	}
	for k, v := range d.SessionParameters {
		se.params[strings.ToUpper(k)] = fmt.Sprint(v)
	}
	info := SessionInfo{ID: id, User: user, Database: l.Database, Schema: l.Schema, Warehouse: l.Warehouse, Role: l.Role}
	if s.engine != nil {
		se.engine, se.engineErr = s.engine.NewSession(info)
	}
	s.mu.Lock()
	s.sessions[se.token] = se
	s.masters[se.master] = se
	s.mu.Unlock()
	ok(w, map[string]any{
		"token":                   se.token,
		"validityInSeconds":       3600,
		"masterToken":             se.master,
		"masterValidityInSeconds": 14400,
		"sessionId":               id,
		"serverVersion":           "fakesnowflake",
		"parameters": []map[string]any{
			{"name": "TIMEZONE", "value": "UTC"},
			{"name": "GO_QUERY_RESULT_FORMAT", "value": "JSON"},
		},
		"sessionInfo": map[string]string{
			"databaseName": l.Database, "schemaName": l.Schema,
			"warehouseName": l.Warehouse, "roleName": l.Role,
		},
	})
}

func (s *Server) handleRenew(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OldSessionToken string `json:"oldSessionToken"`
		RequestType     string `json:"requestType"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	se := s.masters[tokenOf(r)]
	if se == nil || body.RequestType != "RENEW" || body.OldSessionToken != se.token {
		s.mu.Unlock()
		fail(w, "390114", "Authentication token has expired.  The user must authenticate again.", nil)
		return
	}
	delete(s.sessions, se.token)
	s.nextID++
	se.token = fmt.Sprintf("session-token-%d-renewed-%d", se.id, s.nextID)
	se.expired = false
	s.sessions[se.token] = se
	s.mu.Unlock()
	ok(w, map[string]any{
		"sessionToken": se.token, "validityInSecondsST": 3600,
		"masterToken": se.master, "validityInSecondsMT": 14400,
		"sessionId": se.id,
	})
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("delete") != "true" {
		s.mu.Lock()
		s.unexpected = append(s.unexpected, r.Method+" "+r.URL.String())
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	se := s.sessions[tokenOf(r)]
	if se != nil {
		delete(s.sessions, se.token)
		delete(s.masters, se.master)
	}
	s.mu.Unlock()
	if se != nil && se.engine != nil {
		go func() {
			// wait for a running statement of this session before closing it
			se.runMu.Lock()
			defer se.runMu.Unlock()
			_ = se.engine.Close()
		}()
	}
	ok(w, nil)
}

type queryBody struct {
	SQLText    string         `json:"sqlText"`
	AsyncExec  bool           `json:"asyncExec"`
	SequenceID int64          `json:"sequenceId"`
	Parameters map[string]any `json:"parameters"`
	Bindings   map[string]struct {
		Type  string `json:"type"`
		Value any    `json:"value"`
	} `json:"bindings"`
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request, se *session) {
	var body queryBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(w, "000900", "bad query body: "+err.Error(), nil)
		return
	}
	q := Query{
		SessionID: se.id, RequestID: r.URL.Query().Get("requestId"),
		SQL: body.SQLText, Parameters: body.Parameters, Async: body.AsyncExec,
	}
	keys := make([]string, 0, len(body.Bindings))
	for k := range body.Bindings {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, ea := strconv.Atoi(keys[i])
		b, eb := strconv.Atoi(keys[j])
		if ea == nil && eb == nil {
			return a < b
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		b := body.Bindings[k]
		q.Bindings = append(q.Bindings, Binding{Key: k, Type: b.Type, Value: b.Value})
	}
	ru := s.start(s.base, se, q)
	if body.AsyncExec {
		s.writeRunning(w, ru)
		return
	}
	s.await(w, r, ru)
}

// start records q and runs it in the background: the query lives on when the
// HTTP request that started it goes away, as in Snowflake, until it finishes
// or an abort-request cancels it.
func (s *Server) start(parent context.Context, se *session, q Query) *run {
	s.mu.Lock()
	s.nextID++
	q.Seq = len(s.queries) + 1
	q.QueryID = fmt.Sprintf("01fa4e00-0000-0000-0000-%012d", s.nextID)
	q.Session = make(map[string]string, len(se.params))
	for k, v := range se.params {
		q.Session[k] = v
	}
	s.queries = append(s.queries, q)
	ctx, cancel := context.WithCancel(parent)
	ru := &run{q: q, cancel: cancel, done: make(chan struct{})}
	s.running[q.QueryID] = ru
	if q.RequestID != "" && !q.Child {
		s.byRequest[q.RequestID] = ru
	}
	s.mu.Unlock()

	go func() {
		defer close(ru.done)
		defer cancel()
		if q.Parameters["MULTI_STATEMENT_COUNT"] != nil && !q.Child {
			s.runMulti(ctx, se, ru)
			return
		}
		ru.res, ru.err = s.execute(ctx, se, q)
	}()
	return ru
}

func (s *Server) runMulti(ctx context.Context, se *session, ru *run) {
	stmts := SplitStatements(ru.q.SQL)
	if n := fmt.Sprint(ru.q.Parameters["MULTI_STATEMENT_COUNT"]); n != "0" && n != strconv.Itoa(len(stmts)) {
		ru.err = &Error{Code: "000008", SQLState: "0A000", Message: fmt.Sprintf(
			"Actual statement count %d did not match the desired statement count %s.", len(stmts), n)}
		return
	}
	for _, stmt := range stmts {
		child := ru.q
		child.SQL, child.Child, child.Bindings = stmt, true, nil
		cr := s.start(ctx, se, child)
		<-cr.done
		if cr.err != nil {
			ru.err = cr.err
			return
		}
		ru.children = append(ru.children, cr.q.QueryID)
		ru.types = append(ru.types, cr.res.stmtType())
	}
	ru.res = &Result{
		StatementType: stmtMulti,
		Columns:       []Column{{Name: "multiple statement execution", Type: "text"}},
		Rows:          [][]any{{"Multiple statements executed successfully."}},
	}
}

func (s *Server) execute(ctx context.Context, se *session, q Query) (*Result, error) {
	se.runMu.Lock()
	defer se.runMu.Unlock()
	if ctx.Err() != nil {
		return nil, errCanceled
	}
	text := normalizeSQL(q.SQL)
	s.mu.Lock()
	var fn Responder
	for i := len(s.responders) - 1; i >= 0; i-- {
		rp := s.responders[i]
		if (rp.re != nil && rp.re.MatchString(text)) || (rp.re == nil && rp.exact == text) {
			fn = rp.fn
			break
		}
	}
	s.mu.Unlock()
	if fn == nil {
		if res := s.sessionStatement(se, text); res != nil {
			return res, nil
		}
		if se.engine != nil {
			fn = se.engine.Run
		} else if se.engineErr != nil {
			return nil, &Error{Code: "390201", SQLState: "08004", Message: se.engineErr.Error()}
		}
	}
	if fn == nil {
		fn = builtin
	}
	return fn(ctx, q)
}

var alterSession = regexp.MustCompile(`(?is)^alter\s+session\s+(set|unset)\s+(\w+)\s*(?:=\s*(.*))?$`)

// sessionStatement handles ALTER SESSION itself (the fake keeps session
// parameters); the statement is still recorded like any other.
func (s *Server) sessionStatement(se *session, text string) *Result {
	m := alterSession.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	key := strings.ToUpper(m[2])
	s.mu.Lock()
	if strings.EqualFold(m[1], "set") {
		v := strings.TrimSpace(m[3])
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
		}
		se.params[key] = v
	} else {
		delete(se.params, key)
	}
	s.mu.Unlock()
	return Status(StmtSCL, "Statement executed successfully.")
}

func builtin(_ context.Context, q Query) (*Result, error) {
	w := FirstWords(q.SQL, 2)
	text := strings.ToUpper(collapse(normalizeSQL(q.SQL)))
	switch {
	case text == "SELECT 1":
		return Select([]Column{{Name: "1", Type: "fixed"}}, []any{int64(1)}), nil
	case len(w) > 0 && (w[0] == "BEGIN" || w[0] == "COMMIT" || w[0] == "ROLLBACK"):
		return Status(StmtTCL, "Statement executed successfully."), nil
	case len(w) > 0 && w[0] == "USE":
		return Status(StmtSCL, "Statement executed successfully."), nil
	}
	return nil, &Error{Code: "001003", SQLState: "42000", Message: "SQL compilation error:\nthe fake has no answer for: " + collapse(q.SQL)}
}

// await holds the HTTP request until the query finishes, the poll wait passes
// (then "still running" with a result URL) or the client goes away.
func (s *Server) await(w http.ResponseWriter, r *http.Request, ru *run) {
	timer := time.NewTimer(s.pollWait)
	defer timer.Stop()
	select {
	case <-ru.done:
		s.writeDone(w, ru)
	case <-timer.C:
		s.writeRunning(w, ru)
	case <-r.Context().Done():
	case <-s.base.Done():
		fail(w, "390111", "server stopped", nil)
	}
}

func (s *Server) writeRunning(w http.ResponseWriter, ru *run) {
	code, msg := "333334", "Asynchronous execution in progress. Use provided query id to perform query monitoring and management."
	writeJSON(w, envelope{Success: true, Code: &code, Message: &msg, Data: map[string]any{
		"queryId":              ru.q.QueryID,
		"getResultUrl":         "/queries/" + ru.q.QueryID + "/result",
		"queryAbortsAfterSecs": 300,
		"progressDesc":         nil,
	}})
}

func (s *Server) writeDone(w http.ResponseWriter, ru *run) {
	if ru.err != nil {
		e, isSF := ru.err.(*Error)
		if !isSF {
			e = &Error{Code: "100000", SQLState: "XX000", Message: ru.err.Error()}
		}
		fail(w, e.Code, e.Message, map[string]any{
			"queryId": ru.q.QueryID, "sqlState": e.SQLState, "errorCode": e.Code,
			"internalError": false,
		})
		return
	}
	rt, set, err := ru.res.encode()
	if err != nil {
		fail(w, "100000", "fakesnowflake: "+err.Error(), map[string]any{"queryId": ru.q.QueryID, "sqlState": "XX000"})
		return
	}
	data := map[string]any{
		"rowtype": rt, "rowset": set,
		"total": len(set), "returned": len(set),
		"queryId":           ru.q.QueryID,
		"statementTypeId":   ru.res.stmtType(),
		"queryResultFormat": "json",
		"version":           1,
		"sendResultTime":    time.Now().UnixMilli(),
	}
	if len(ru.res.Parameters) > 0 {
		var ps []map[string]any
		for k, v := range ru.res.Parameters {
			ps = append(ps, map[string]any{"name": k, "value": v})
		}
		data["parameters"] = ps
	}
	if ru.children != nil {
		types := make([]string, len(ru.types))
		for i, t := range ru.types {
			types[i] = strconv.FormatInt(t, 10)
		}
		data["resultIds"] = strings.Join(ru.children, ",")
		data["resultTypes"] = strings.Join(types, ",")
	}
	ok(w, data)
}

func (s *Server) handleResult(w http.ResponseWriter, r *http.Request, _ *session) {
	s.mu.Lock()
	ru := s.running[r.PathValue("qid")]
	s.mu.Unlock()
	if ru == nil {
		fail(w, "000709", "Statement "+r.PathValue("qid")+" not found", nil)
		return
	}
	s.await(w, r, ru)
}

func (s *Server) handleMonitor(w http.ResponseWriter, r *http.Request, _ *session) {
	s.mu.Lock()
	ru := s.running[r.PathValue("qid")]
	s.mu.Unlock()
	if ru == nil {
		fail(w, "000709", "Statement "+r.PathValue("qid")+" not found", nil)
		return
	}
	status, code, msg := "RUNNING", "", ""
	select {
	case <-ru.done:
		status = "SUCCESS"
		if ru.err != nil {
			status, msg = "FAILED_WITH_ERROR", ru.err.Error()
			if e, isSF := ru.err.(*Error); isSF {
				code, msg = e.Code, e.Message
			}
		}
	default:
	}
	ok(w, map[string]any{"queries": []map[string]any{{
		"id": ru.q.QueryID, "status": status, "sqlText": ru.q.SQL,
		"errorCode": code, "errorMessage": msg,
	}}})
}

func (s *Server) handleAbort(w http.ResponseWriter, r *http.Request, _ *session) {
	var body struct {
		RequestID string `json:"requestId"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	ru := s.byRequest[body.RequestID]
	a := Abort{RequestID: body.RequestID}
	if ru != nil {
		a.QueryID = ru.q.QueryID
		select {
		case <-ru.done:
		default:
			a.WasRunning = true
		}
		ru.cancel()
	}
	s.aborts = append(s.aborts, a)
	s.mu.Unlock()
	ok(w, nil)
}
