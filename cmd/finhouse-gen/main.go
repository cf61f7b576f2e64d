// Command finhouse-gen writes the synthetic seed CSVs of the finhouse example warehouse.
//
// The output is a pure function of -scale: a fixed-seed PRNG and a fixed reference period
// (2025-01-01 to 2025-12-31) make every run byte-for-byte identical, so the committed seeds
// can be regenerated and reviewed, and larger data sets (-scale 10) can be made for
// benchmarks:
//
//	go run ./cmd/finhouse-gen -out seeds -scale 1
//
// It models the four source systems described in docs/finhouse.md: the lending and
// banking OLTP tables (rows updated in place, several versions per key), the account
// aggregator consent event log (JSON payloads, unknown event types, journeys spanning
// sessions), the payment gateway's change-data-capture log in Debezium's envelope (late,
// out-of-order and deleted records) with its merchant master and settlement batches.
package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The reference period: every generated fact falls between periodStart and asOf.
var (
	periodStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	asOf        = time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)
)

const (
	tsLayout   = "2006-01-02 15:04:05"
	dateLayout = "2006-01-02"
)

func main() {
	out := flag.String("out", "seeds", "directory to write the CSV files into")
	scale := flag.Int("scale", 1, "size multiplier (1 = the committed example data)")
	flag.Parse()
	if err := run(*out, *scale); err != nil {
		fmt.Fprintln(os.Stderr, "finhouse-gen:", err)
		os.Exit(1)
	}
}

// table is one CSV file: a header and rows of already formatted cells.
type table struct {
	name   string
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) {
	if len(cells) != len(t.header) {
		panic(fmt.Sprintf("%s: %d cells for %d columns", t.name, len(cells), len(t.header)))
	}
	t.rows = append(t.rows, cells)
}

func run(out string, scale int) error {
	if scale < 1 {
		return errors.New("scale must be at least 1")
	}
	g := &gen{rng: rand.New(rand.NewPCG(20250101, uint64(scale)))}
	tables := g.banking(150*scale, scale)
	tables = append(tables, g.consents(200*scale)...)
	tables = append(tables, g.settlements(350*scale, 12*scale)...)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	for _, t := range tables {
		if err := writeCSV(filepath.Join(out, t.name+".csv"), t); err != nil {
			return err
		}
	}
	return nil
}

func writeCSV(path string, t *table) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := encodeCSV(f, t); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

func encodeCSV(w io.Writer, t *table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.header); err != nil {
		return err
	}
	if err := cw.WriteAll(t.rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// gen holds the PRNG; every random choice goes through it, in a fixed order.
type gen struct {
	rng *rand.Rand
}

func (g *gen) intn(lo, hi int) int     { return lo + g.rng.IntN(hi-lo+1) }
func (g *gen) chance(p float64) bool   { return g.rng.Float64() < p }
func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// rupees returns a random amount between lo and hi rounded to paise.
func (g *gen) rupees(lo, hi float64) float64 {
	return math.Round((lo+g.rng.Float64()*(hi-lo))*100) / 100
}

// pickWeighted picks xs[i] with probability proportional to w[i].
func (g *gen) pickWeighted(xs []string, w []float64) string {
	total := 0.0
	for _, x := range w {
		total += x
	}
	r := g.rng.Float64() * total
	for i, x := range w {
		r -= x
		if r < 0 {
			return xs[i]
		}
	}
	return xs[len(xs)-1]
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

// clock returns a random time of day on day d between the given hours.
func (g *gen) clock(d time.Time, fromHour, toHour int) time.Time {
	secs := g.intn(fromHour*3600, toHour*3600-1)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Add(time.Duration(secs) * time.Second)
}

func money(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
func ts(t time.Time) string  { return t.Format(tsLayout) }
func day(t time.Time) string { return t.Format(dateLayout) }
func itoa(i int) string      { return strconv.Itoa(i) }

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func monthStart(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

var (
	firstNames = []string{"aarav", "vivaan", "aditya", "arjun", "sai", "reyansh", "krishna", "ishaan",
		"ananya", "diya", "saanvi", "aadhya", "pari", "anika", "kavya", "meera", "rohan", "priya",
		"neha", "rahul", "vikram", "lakshmi", "farhan", "zoya", "gurpreet", "harpreet", "joseph", "mary"}
	lastNames = []string{"sharma", "verma", "iyer", "reddy", "nair", "patel", "shah", "gupta", "singh",
		"khan", "das", "bose", "menon", "rao", "joshi", "kulkarni", "fernandes", "chatterjee", "pillai"}
	cities = []string{"Bengaluru", "Mumbai", "Delhi", "Chennai", "Hyderabad", "Pune", "Kolkata",
		"Ahmedabad", "Jaipur", "Kochi", "Lucknow", "Indore"}
	emailDomains = []string{"example.com", "example.in", "mail.example.org"}
)

// persona decides the shape of a customer's money: it is what makes every tier, the upsell
// signals and the "in the red" streaks appear in the marts.
type persona struct {
	name           string
	incomeLo       float64
	incomeHi       float64
	spendLo        float64 // share of income spent in a normal month
	spendHi        float64
	openingLo      float64
	openingHi      float64
	withdrawals    bool // heavy ATM user
	investsP       float64
	loanP          float64
	accountType    string
	redStreakMonth int // >0: months of overspending in a row
}

var personas = []persona{
	{name: "affluent", incomeLo: 180000, incomeHi: 350000, spendLo: 0.35, spendHi: 0.55, openingLo: 250000, openingHi: 900000, investsP: 0.9, loanP: 0.2, accountType: "savings"},
	{name: "salaried", incomeLo: 45000, incomeHi: 95000, spendLo: 0.7, spendHi: 0.9, openingLo: 20000, openingHi: 80000, investsP: 0.4, loanP: 0.45, accountType: "savings"},
	{name: "cash_heavy", incomeLo: 40000, incomeHi: 70000, spendLo: 0.8, spendHi: 0.95, openingLo: 10000, openingHi: 40000, withdrawals: true, loanP: 0.3, accountType: "savings"},
	{name: "gig", incomeLo: 6000, incomeHi: 22000, spendLo: 0.85, spendHi: 1.0, openingLo: 300, openingHi: 4000, loanP: 0.35, accountType: "wallet"},
	{name: "overspender", incomeLo: 25000, incomeHi: 45000, spendLo: 0.9, spendHi: 1.0, openingLo: 5000, openingHi: 20000, loanP: 0.5, accountType: "current", redStreakMonth: 4},
}

var personaWeights = []float64{0.14, 0.36, 0.12, 0.26, 0.12}

type user struct {
	id      int
	persona persona
	signup  time.Time
	primary int // account id of the salary account
	accts   []int
}

type account struct {
	id      int
	userID  int
	typ     string
	opened  time.Time
	balance float64
}

// banking generates users, accounts, transactions, loans, repayments, loan_payments and
// investments. Several tables carry more than one version of a row (updated_at), as a
// Django backend updating rows in place and a nightly full extract would give.
func (g *gen) banking(nUsers, scale int) []*table {
	users := &table{name: "bank_users", header: []string{"user_id", "full_name", "mobile", "email", "pan", "city", "kyc_status", "signup_date", "created_at", "updated_at"}}
	accounts := &table{name: "bank_accounts", header: []string{"account_id", "user_id", "account_type", "status", "opened_date", "created_at", "updated_at"}}
	txns := &table{name: "bank_transactions", header: []string{"transaction_id", "account_id", "transaction_at", "direction", "channel", "amount", "counterparty", "kind", "status", "created_at", "updated_at"}}
	loans := &table{name: "bank_loans", header: []string{"loan_id", "user_id", "product", "principal", "annual_rate", "tenure_months", "disbursed_date", "status", "created_at", "updated_at"}}
	sched := &table{name: "bank_repayments", header: []string{"repayment_id", "loan_id", "installment_no", "due_date", "due_amount", "principal_component", "interest_component", "created_at", "updated_at"}}
	pays := &table{name: "bank_loan_payments", header: []string{"payment_id", "loan_id", "repayment_id", "paid_at", "amount", "channel", "created_at", "updated_at"}}
	invs := &table{name: "bank_investments", header: []string{"investment_id", "user_id", "product_type", "scheme_name", "amount", "start_date", "end_date", "status", "created_at", "updated_at"}}

	names := make([]string, len(personas))
	for i, p := range personas {
		names[i] = p.name
	}
	byName := map[string]persona{}
	for _, p := range personas {
		byName[p.name] = p
	}

	var us []*user
	var accts []*account
	nextAcct := 1
	for i := 1; i <= nUsers; i++ {
		p := byName[g.pickWeighted(names, personaWeights)]
		// A third of the customers joined in 2024; the rest join through 2025, more of them
		// later in the year, so the growth mart has a trend.
		var signup time.Time
		if g.chance(0.33) {
			signup = time.Date(2024, time.Month(g.intn(1, 12)), g.intn(1, 28), 0, 0, 0, 0, time.UTC)
		} else {
			m := int(math.Sqrt(g.rng.Float64())*11.99) + 1
			signup = time.Date(2025, time.Month(m), g.intn(1, 28), 0, 0, 0, 0, time.UTC)
		}
		u := &user{id: i, persona: p, signup: signup}
		first, last := g.pick(firstNames), g.pick(lastNames)
		mobile := itoa(g.intn(6, 9)) + fmt.Sprintf("%09d", g.rng.IntN(1000000000))
		email := fmt.Sprintf("%s.%s%d@%s", first, last, g.intn(1, 99), g.pick(emailDomains))
		pan := fmt.Sprintf("%c%c%cP%c%04d%c", 'A'+rune(g.rng.IntN(26)), 'A'+rune(g.rng.IntN(26)), 'A'+rune(g.rng.IntN(26)),
			'A'+rune(g.rng.IntN(26)), g.rng.IntN(10000), 'A'+rune(g.rng.IntN(26)))
		full := title(first) + " " + title(last)
		city := g.pick(cities)
		created := g.clock(signup, 8, 22)
		// KYC: most customers are verified a few days after signup (a second version of the
		// row); some stay pending, a few are rejected.
		switch r := g.rng.Float64(); {
		case r < 0.82:
			users.add(itoa(i), full, mobile, email, pan, city, "pending", day(signup), ts(created), ts(created))
			users.add(itoa(i), full, mobile, email, pan, city, "verified", day(signup), ts(created), ts(created.Add(time.Duration(g.intn(1, 6))*24*time.Hour)))
		case r < 0.95:
			users.add(itoa(i), full, mobile, email, pan, city, "pending", day(signup), ts(created), ts(created))
		default:
			users.add(itoa(i), full, mobile, email, pan, city, "pending", day(signup), ts(created), ts(created))
			users.add(itoa(i), full, mobile, email, pan, city, "rejected", day(signup), ts(created), ts(created.Add(72*time.Hour)))
		}
		a := &account{id: nextAcct, userID: i, typ: p.accountType, opened: signup}
		nextAcct++
		u.primary = a.id
		u.accts = append(u.accts, a.id)
		accts = append(accts, a)
		if p.accountType != "wallet" && g.chance(0.3) {
			b := &account{id: nextAcct, userID: i, typ: "wallet", opened: signup.AddDate(0, 0, g.intn(0, 60))}
			nextAcct++
			u.accts = append(u.accts, b.id)
			accts = append(accts, b)
		}
		us = append(us, u)
	}
	acctByID := map[int]*account{}
	for _, a := range accts {
		acctByID[a.id] = a
		created := g.clock(a.opened, 9, 20)
		accounts.add(itoa(a.id), itoa(a.userID), a.typ, "active", day(a.opened), ts(created), ts(created))
		if a.typ == "wallet" && a.opened.Before(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) && g.chance(0.25) {
			accounts.add(itoa(a.id), itoa(a.userID), a.typ, "dormant", day(a.opened), ts(created), ts(time.Date(2025, time.Month(g.intn(7, 11)), g.intn(1, 28), 3, 0, 0, 0, time.UTC)))
		}
	}

	txnID := 0
	addTxn := func(a *account, at time.Time, dir, channel string, amt float64, cp, kind string) {
		if at.Before(a.opened) || at.After(asOf) {
			return // the account did not exist yet, or the day is past the reference date
		}
		txnID++
		status := "posted"
		if dir == "debit" && a.typ != "current" && a.balance-amt < 0 {
			// Savings and wallet accounts cannot go below zero: the debit is declined and
			// never reaches the ledger.
			txnID--
			return
		}
		if dir == "credit" {
			a.balance += amt
		} else {
			a.balance -= amt
		}
		txns.add(itoa(txnID), itoa(a.id), ts(at), dir, channel, money(amt), cp, kind, status, ts(at), ts(at))
		// About one in fifty card or UPI debits is reversed a few days later: the row is updated in
		// place, and the money comes back.
		if dir == "debit" && (channel == "CARD" || channel == "UPI") && g.chance(0.02) {
			later := at.Add(time.Duration(g.intn(24, 120)) * time.Hour)
			if later.Before(asOf) {
				txns.add(itoa(txnID), itoa(a.id), ts(at), dir, channel, money(amt), cp, kind, "reversed", ts(at), ts(later))
				a.balance += amt
			}
		}
	}

	// Loans are decided up front so that EMIs show up as debits in the ledger.
	type payment struct {
		at     time.Time
		amount float64
		repID  int
		loanID int
	}
	paymentsByUserMonth := map[[2]int][]payment{}
	book := func(userID int, p payment) {
		k := [2]int{userID, int(p.at.Month()) + 12*p.at.Year()}
		paymentsByUserMonth[k] = append(paymentsByUserMonth[k], p)
	}
	loanID, repID, payID := 0, 0, 0
	loanProducts := []string{"personal", "bnpl", "gold", "microfinance"}
	for _, u := range us {
		if !g.chance(u.persona.loanP) {
			continue
		}
		nLoans := 1
		if g.chance(0.2) {
			nLoans = 2
		}
		for k := 0; k < nLoans; k++ {
			loanID++
			product := g.pick(loanProducts)
			var principal float64
			var rate float64
			var tenure int
			switch product {
			case "personal":
				principal, rate, tenure = float64(g.intn(10, 60)*5000), 13.5+float64(g.intn(0, 8)), g.intn(12, 24)
			case "bnpl":
				principal, rate, tenure = float64(g.intn(4, 40)*500), 18, g.intn(3, 6)
			case "gold":
				principal, rate, tenure = float64(g.intn(5, 30)*5000), 9.5+float64(g.intn(0, 3)), g.intn(6, 12)
			default:
				principal, rate, tenure = float64(g.intn(10, 50)*1000), 22+float64(g.intn(0, 3)), g.intn(12, 18)
			}
			earliest := u.signup.AddDate(0, 1, 0)
			if earliest.Before(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)) {
				earliest = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
			}
			latest := time.Date(2025, 10, 28, 0, 0, 0, 0, time.UTC)
			if !earliest.Before(latest) {
				loanID--
				continue
			}
			span := int(latest.Sub(earliest).Hours() / 24)
			disbursed := earliest.AddDate(0, 0, g.intn(0, span))
			behaviour := g.pickWeighted([]string{"good", "late", "default"}, []float64{0.62, 0.14, 0.24})
			r := rate / 1200
			emi := math.Round(principal*r*math.Pow(1+r, float64(tenure))/(math.Pow(1+r, float64(tenure))-1)*100) / 100
			created := g.clock(disbursed, 10, 18)
			status := "active"
			outstanding := principal
			stopAfter := tenure + 1
			if behaviour == "default" {
				// The borrower stops paying at the first installment due after a chosen day,
				// spread so that every days-past-due bucket has loans at the reference date.
				firstMissed := asOf.AddDate(0, 0, -g.intn(5, 200))
				stopAfter = 0
				for stopAfter < tenure && !disbursed.AddDate(0, stopAfter+1, 0).After(firstMissed) {
					stopAfter++
				}
			}
			paidAll := true
			lastPaid := disbursed
			for n := 1; n <= tenure; n++ {
				repID++
				due := disbursed.AddDate(0, n, 0)
				interest := math.Round(outstanding*r*100) / 100
				princ := math.Round((emi-interest)*100) / 100
				amount := emi
				if n == tenure {
					princ = math.Round(outstanding*100) / 100
					amount = math.Round((princ+interest)*100) / 100
				}
				outstanding -= princ
				sched.add(itoa(repID), itoa(loanID), itoa(n), day(due), money(amount), money(princ), money(interest), ts(created), ts(created))
				if n > stopAfter {
					if due.Before(asOf) {
						paidAll = false
					}
					continue
				}
				var paidAt time.Time
				switch behaviour {
				case "late":
					paidAt = g.clock(due.AddDate(0, 0, g.intn(3, 40)), 9, 21)
				default:
					paidAt = g.clock(due.AddDate(0, 0, g.intn(-3, 2)), 9, 21)
				}
				if paidAt.After(asOf) {
					if due.Before(asOf) {
						paidAll = false
					}
					continue
				}
				payID++
				pchan := g.pickWeighted([]string{"auto_debit", "UPI", "NEFT"}, []float64{0.7, 0.2, 0.1})
				if behaviour == "late" && g.chance(0.3) && n < tenure {
					// A partial payment now and the rest a little later.
					part := math.Round(amount*0.5*100) / 100
					pays.add(itoa(payID), itoa(loanID), itoa(repID), ts(paidAt), money(part), pchan, ts(paidAt), ts(paidAt))
					book(u.id, payment{paidAt, part, repID, loanID})
					rest := paidAt.AddDate(0, 0, g.intn(5, 20))
					if rest.After(asOf) {
						paidAll = false
						continue
					}
					payID++
					pays.add(itoa(payID), itoa(loanID), itoa(repID), ts(rest), money(amount-part), pchan, ts(rest), ts(rest))
					book(u.id, payment{rest, amount - part, repID, loanID})
					lastPaid = rest
					continue
				}
				pays.add(itoa(payID), itoa(loanID), itoa(repID), ts(paidAt), money(amount), pchan, ts(paidAt), ts(paidAt))
				book(u.id, payment{paidAt, amount, repID, loanID})
				lastPaid = paidAt
			}
			loans.add(itoa(loanID), itoa(u.id), product, money(principal), money(rate), itoa(tenure), day(disbursed), status, ts(created), ts(created))
			lastDue := disbursed.AddDate(0, tenure, 0)
			switch {
			case paidAll && lastDue.Before(asOf):
				loans.add(itoa(loanID), itoa(u.id), product, money(principal), money(rate), itoa(tenure), day(disbursed), "closed", ts(created), ts(lastPaid.Add(6*time.Hour)))
			case behaviour == "default" && disbursed.AddDate(0, stopAfter+4, 0).Before(asOf):
				// Over ninety days behind: the collections team marks the loan defaulted.
				loans.add(itoa(loanID), itoa(u.id), product, money(principal), money(rate), itoa(tenure), day(disbursed), "defaulted", ts(created), ts(disbursed.AddDate(0, stopAfter+4, 2)))
			}
			// The disbursal lands in the primary account.
			book(u.id, payment{at: disbursed.Add(11 * time.Hour), amount: -principal, loanID: loanID})
		}
	}

	// Investments: SIPs debit every month while active; fixed deposits debit once.
	type sip struct {
		amount     float64
		start, end time.Time
	}
	sipsByUser := map[int][]sip{}
	fdByUserMonth := map[[2]int]float64{}
	invID := 0
	schemes := []string{"Nifty 50 Index Fund", "Flexi Cap Fund", "Liquid Fund", "ELSS Tax Saver", "Midcap Opportunities"}
	for _, u := range us {
		if !g.chance(u.persona.investsP) {
			continue
		}
		invID++
		start := u.signup.AddDate(0, g.intn(0, 3), 0)
		if start.Before(time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)) {
			start = time.Date(2024, 10, g.intn(1, 28), 0, 0, 0, 0, time.UTC)
		}
		if start.After(time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)) {
			invID--
			continue
		}
		start = time.Date(start.Year(), start.Month(), 5, 0, 0, 0, 0, time.UTC)
		var amt float64
		if u.persona.name == "affluent" {
			amt = float64(g.intn(4, 10) * 5000)
		} else {
			amt = float64(g.intn(2, 10) * 500)
		}
		created := g.clock(start.AddDate(0, 0, -2), 9, 20)
		scheme := g.pick(schemes)
		invs.add(itoa(invID), itoa(u.id), "sip", scheme, money(amt), day(start), "", "active", ts(created), ts(created))
		s := sip{amount: amt, start: start, end: asOf}
		if g.chance(0.2) {
			end := start.AddDate(0, g.intn(3, 8), 0)
			if end.Before(asOf) {
				s.end = end
				invs.add(itoa(invID), itoa(u.id), "sip", scheme, money(amt), day(start), day(end), "cancelled", ts(created), ts(end))
			}
		}
		sipsByUser[u.id] = append(sipsByUser[u.id], s)
		if u.persona.name == "affluent" && g.chance(0.6) {
			invID++
			fdStart := time.Date(2025, time.Month(g.intn(1, 11)), g.intn(1, 28), 0, 0, 0, 0, time.UTC)
			if fdStart.Before(u.signup) {
				fdStart = u.signup.AddDate(0, 1, 0)
			}
			fdAmt := float64(g.intn(2, 20) * 25000)
			fcreated := g.clock(fdStart, 10, 16)
			invs.add(itoa(invID), itoa(u.id), "fd", "Fixed Deposit 12M", money(fdAmt), day(fdStart), day(fdStart.AddDate(1, 0, 0)), "active", ts(fcreated), ts(fcreated))
			fdByUserMonth[[2]int{u.id, int(fdStart.Month()) + 12*fdStart.Year()}] += fdAmt
		}
	}

	// The ledger, month by month.
	billers := []string{"BESCOM", "Airtel", "Jio", "Tata Power", "ACT Fibernet", "Mahanagar Gas", "LIC"}
	merchants := []string{"Swiggy", "Zomato", "Amazon", "Flipkart", "BigBasket", "Uber", "Ola", "DMart", "Myntra", "IRCTC"}
	for _, u := range us {
		primary := acctByID[u.primary]
		// Start of the ledger: the account opening deposit.
		first := primary.opened
		addTxn(primary, g.clock(first, 10, 17), "credit", "NEFT", g.rupees(u.persona.openingLo, u.persona.openingHi), "Opening deposit", "transfer")
		income := g.rupees(u.persona.incomeLo, u.persona.incomeHi)
		redStart := 0
		if u.persona.redStreakMonth > 0 {
			redStart = g.intn(2, 8) // month of 2025 in which overspending begins
		}
		for m := monthStart(first.Year(), first.Month()); m.Before(asOf); m = m.AddDate(0, 1, 0) {
			mi := int(m.Month()) + 12*m.Year()
			salaryDay := m
			if m.Year() == first.Year() && m.Month() == first.Month() {
				salaryDay = first.AddDate(0, 0, 1)
				if salaryDay.Month() != m.Month() {
					continue
				}
			}
			inc := income * (0.9 + 0.2*g.rng.Float64())
			if u.persona.name == "gig" {
				// Gig income comes in a few UPI payouts.
				for k := 0; k < g.intn(1, 3); k++ {
					addTxn(primary, g.clock(salaryDay.AddDate(0, 0, g.intn(0, 25)), 8, 22), "credit", "UPI", math.Round(inc/2*100)/100, g.pick([]string{"Swiggy Payouts", "Urban Company", "Rapido"}), "transfer")
				}
			} else {
				addTxn(primary, g.clock(salaryDay, 6, 10), "credit", "NEFT", math.Round(inc*100)/100, "Employer payroll", "salary")
			}
			spend := inc * (u.persona.spendLo + (u.persona.spendHi-u.persona.spendLo)*g.rng.Float64())
			if redStart > 0 && m.Year() == 2025 && int(m.Month()) >= redStart && int(m.Month()) < redStart+u.persona.redStreakMonth {
				spend = inc * (1.15 + 0.35*g.rng.Float64())
			}
			// Loan disbursals and EMIs.
			for _, p := range paymentsByUserMonth[[2]int{u.id, mi}] {
				if p.amount < 0 {
					addTxn(primary, p.at, "credit", "NEFT", -p.amount, fmt.Sprintf("Loan %d disbursal", p.loanID), "loan_disbursal")
					continue
				}
				addTxn(primary, p.at, "debit", "NEFT", p.amount, fmt.Sprintf("Loan %d EMI", p.loanID), "emi")
				spend -= p.amount
			}
			for _, s := range sipsByUser[u.id] {
				d := time.Date(m.Year(), m.Month(), 5, 0, 0, 0, 0, time.UTC)
				if !d.Before(s.start) && d.Before(s.end) {
					addTxn(primary, g.clock(d, 7, 9), "debit", "NEFT", s.amount, "AMC SIP mandate", "investment")
					spend -= s.amount
				}
			}
			if fd := fdByUserMonth[[2]int{u.id, mi}]; fd > 0 {
				addTxn(primary, g.clock(m.AddDate(0, 0, g.intn(10, 20)), 10, 16), "debit", "IMPS", fd, "Fixed deposit booking", "investment")
			}
			if u.persona.withdrawals {
				w := spend * (0.5 + 0.2*g.rng.Float64())
				addTxn(primary, g.clock(m.AddDate(0, 0, g.intn(1, 12)), 8, 22), "debit", "ATM", math.Round(w/2*100)/100, "ATM cash", "withdrawal")
				addTxn(primary, g.clock(m.AddDate(0, 0, g.intn(13, 27)), 8, 22), "debit", "ATM", math.Round(w/2*100)/100, "ATM cash", "withdrawal")
				spend -= w
			}
			if spend <= 0 {
				continue
			}
			bill := math.Round(spend*0.25*100) / 100
			addTxn(primary, g.clock(m.AddDate(0, 0, g.intn(3, 15)), 9, 21), "debit", "UPI", bill, g.pick(billers), "bill")
			rest := spend - bill
			nShop := g.intn(1, 2)
			for k := 0; k < nShop; k++ {
				ch := g.pickWeighted([]string{"UPI", "CARD", "IMPS"}, []float64{0.6, 0.3, 0.1})
				amt := math.Round(rest/float64(nShop)*100) / 100
				kind := "transfer"
				if ch == "CARD" {
					kind = "bill"
				}
				addTxn(primary, g.clock(m.AddDate(0, 0, g.intn(1, 27)), 8, 23), "debit", ch, amt, g.pick(merchants), kind)
			}
			if !u.persona.withdrawals && g.chance(0.3) {
				addTxn(primary, g.clock(m.AddDate(0, 0, g.intn(1, 27)), 8, 22), "debit", "ATM", float64(g.intn(1, 10)*500), "ATM cash", "withdrawal")
			}
		}
		// Secondary wallets: small top-ups from the primary account and spends.
		for _, aid := range u.accts[1:] {
			w := acctByID[aid]
			for m := monthStart(w.opened.Year(), w.opened.Month()).AddDate(0, 1, 0); m.Before(asOf); m = m.AddDate(0, 1, 0) {
				if !g.chance(0.6) {
					continue
				}
				top := float64(g.intn(2, 20) * 100)
				at := g.clock(m.AddDate(0, 0, g.intn(0, 10)), 9, 21)
				addTxn(w, at, "credit", "UPI", top, "Self transfer", "transfer")
				addTxn(w, at.Add(time.Duration(g.intn(1, 240))*time.Hour), "debit", "UPI", math.Round(top*(0.5+0.5*g.rng.Float64())*100)/100, g.pick(merchants), "transfer")
			}
		}
	}
	sortByTime(txns, 2, 0)
	renumber(txns, 0)
	return []*table{users, accounts, txns, loans, sched, pays, invs}
}

// sortByTime orders rows by a timestamp column, then by an id column, keeping the output
// stable and realistic (an extract comes out in insertion order).
func sortByTime(t *table, tsCol, idCol int) {
	sort.SliceStable(t.rows, func(i, j int) bool {
		a, b := t.rows[i], t.rows[j]
		if a[tsCol] != b[tsCol] {
			return a[tsCol] < b[tsCol]
		}
		ai, _ := strconv.Atoi(a[idCol])
		bi, _ := strconv.Atoi(b[idCol])
		return ai < bi
	})
}

// renumber rewrites an id column so that ids grow in row order, as a sequence would have
// issued them; rows sharing an id (versions of one row) keep sharing it.
func renumber(t *table, col int) {
	ids := map[string]string{}
	for _, r := range t.rows {
		if _, ok := ids[r[col]]; !ok {
			ids[r[col]] = strconv.Itoa(len(ids) + 1)
		}
		r[col] = ids[r[col]]
	}
}

// consents generates the account aggregator event log: one consent handle per journey,
// one or more sessions per handle, FI data requests (txn ids) per FIP.
func (g *gen) consents(nHandles int) []*table {
	events := &table{name: "aa_consent_events", header: []string{"event_id", "consent_handle", "session_id", "txn_id", "event_type", "event_at", "payload", "ingested_at"}}
	fips := &table{name: "aa_fips", header: []string{"fip_id", "fip_name", "fip_category", "onboarded_date"}}
	type fip struct {
		id, name, cat string
		failP         float64
		latLo, latHi  int
	}
	fipList := []fip{
		{"HDFC-FIP", "HDFC Bank", "bank", 0.04, 800, 2500},
		{"SBI-FIP", "State Bank of India", "bank", 0.12, 1500, 6000},
		{"ICICI-FIP", "ICICI Bank", "bank", 0.05, 700, 2200},
		{"AXIS-FIP", "Axis Bank", "bank", 0.07, 900, 3000},
		{"CAMS-FIP", "CAMS (mutual funds)", "rta", 0.09, 2000, 8000},
		{"NSDL-FIP", "NSDL (equities)", "depository", 0.15, 2500, 9000},
	}
	for _, f := range fipList {
		fips.add(f.id, f.name, f.cat, "2023-04-01")
	}
	// The event types staging knows about, and where each sits in the two funnels. Event
	// types missing here are kept but flagged as unknown.
	types := &table{name: "aa_event_types", header: []string{"event_type", "operational_stage", "operational_stage_name", "executive_stage", "executive_stage_name", "description"}}
	types.add("CONSENT_REQUESTED", "1", "requested", "1", "requested", "FIU raised a consent request and got a consent handle")
	types.add("USER_REDIRECTED", "2", "redirected", "", "", "user landed on the AA app (a new session)")
	types.add("OTP_VERIFIED", "3", "otp_verified", "2", "user_verified", "user verified the mobile number by OTP")
	types.add("ACCOUNTS_DISCOVERED", "4", "accounts_discovered", "", "", "AA discovered the user's accounts at FIPs")
	types.add("ACCOUNTS_LINKED", "5", "accounts_linked", "", "", "user linked accounts")
	types.add("CONSENT_APPROVED", "6", "consent_approved", "3", "consent_approved", "user approved the consent")
	types.add("FI_REQUEST_SENT", "7", "fi_request_sent", "4", "data_requested", "FIU requested FI data from one FIP (one txn id)")
	types.add("FI_DATA_DELIVERED", "8", "fi_data_delivered", "5", "data_delivered", "FIP delivered the data")
	types.add("CONSENT_REJECTED", "", "", "", "", "user rejected the consent")
	types.add("CONSENT_REVOKED", "", "", "", "", "user revoked an approved consent")
	types.add("FI_DATA_FAILED", "", "", "", "", "FIP failed to deliver the data")
	types.add("FI_DATA_FETCHED", "", "", "", "", "FIU fetched the delivered data")
	types.add("SESSION_EXPIRED", "", "", "", "", "session timed out")
	tsps := []string{"SETU", "FINARKEIN", "PERFIOS", "DIRECT"}
	purposes := []string{"101", "102", "103", "104", "105"}
	fiTypes := []string{"DEPOSIT", "TERM_DEPOSIT", "RECURRING_DEPOSIT", "MUTUAL_FUNDS", "EQUITIES", "INSURANCE_POLICIES", "GSTR1_3B"}
	licenses := []string{"BANK", "NBFC", "INSURER", "BROKER"}
	type ev struct {
		handle, session, txn, typ string
		at                        time.Time
		payload                   map[string]any
		ingested                  time.Time
	}
	var evs []ev
	add := func(e ev) {
		// Events normally land within seconds; a few arrive hours late (mobile SDK retries).
		delay := time.Duration(g.intn(1, 90)) * time.Second
		if g.chance(0.03) {
			delay = time.Duration(g.intn(2, 30)) * time.Hour
		}
		e.ingested = e.at.Add(delay)
		evs = append(evs, e)
	}
	for i := 0; i < nHandles; i++ {
		// Volume grows through the year.
		m := int(math.Sqrt(g.rng.Float64())*11.99) + 1
		start := g.clock(time.Date(2025, time.Month(m), g.intn(1, 28), 0, 0, 0, 0, time.UTC), 7, 23)
		handle := "ch-" + g.hex(12)
		journey := g.pickWeighted([]string{"FIRST_CONSENT", "RENEWAL", "MULTI_FIP"}, []float64{0.55, 0.25, 0.2})
		userType := "NEW"
		if journey == "RENEWAL" || g.chance(0.3) {
			userType = "RETURNING"
		}
		fiType := g.pickWeighted(fiTypes, []float64{0.4, 0.12, 0.06, 0.16, 0.1, 0.08, 0.08})
		dims := map[string]any{
			"tsp":              g.pickWeighted(tsps, []float64{0.35, 0.25, 0.25, 0.15}),
			"purpose_code":     g.pickWeighted(purposes, []float64{0.2, 0.25, 0.2, 0.1, 0.25}),
			"fi_type":          fiType,
			"fiu_license_type": g.pickWeighted(licenses, []float64{0.35, 0.45, 0.1, 0.1}),
			"journey_type":     journey,
			"user_type":        userType,
			"fiu_id":           "FIU-" + strconv.Itoa(g.intn(1, 9)),
			"consent_mode":     g.pick([]string{"VIEW", "STORE"}),
			"fetch_type":       g.pick([]string{"ONETIME", "PERIODIC"}),
		}
		add(ev{handle: handle, typ: "CONSENT_REQUESTED", at: start, payload: dims})
		if g.chance(0.08) {
			continue // the user never opened the AA app
		}
		// The eight operational stages; progress may stop after any of them, and a user who
		// dropped off comes back in a new session a third of the time.
		stages := []string{"USER_REDIRECTED", "OTP_VERIFIED", "ACCOUNTS_DISCOVERED", "ACCOUNTS_LINKED"}
		drop := []float64{0.10, 0.12, 0.08, 0.07}
		t := start
		reached := 0
		sessions := 0
		for sessions < 3 && reached < len(stages) {
			sessions++
			session := "ss-" + g.hex(10)
			t = t.Add(time.Duration(g.intn(5, 90)) * time.Second)
			if sessions > 1 {
				t = t.Add(time.Duration(g.intn(1, 40)) * time.Hour)
				// A returning session starts with a fresh redirect.
				add(ev{handle: handle, session: session, typ: "USER_REDIRECTED", at: t, payload: map[string]any{"channel": "mobile", "resumed": true}})
				if reached == 0 {
					reached = 1
				}
			}
			dropped := false
			for reached < len(stages) {
				st := stages[reached]
				if sessions == 1 || st != "USER_REDIRECTED" {
					p := map[string]any{}
					switch st {
					case "USER_REDIRECTED":
						p["channel"] = g.pick([]string{"web", "mobile"})
					case "OTP_VERIFIED":
						p["attempts"] = g.intn(1, 3)
					case "ACCOUNTS_DISCOVERED":
						p["accounts_found"] = g.intn(1, 4)
					case "ACCOUNTS_LINKED":
						p["accounts_linked"] = 1
					}
					add(ev{handle: handle, session: session, typ: st, at: t, payload: p})
				}
				reached++
				t = t.Add(time.Duration(g.intn(10, 180)) * time.Second)
				if reached < len(stages) && g.chance(drop[reached]) {
					dropped = true
					if g.chance(0.25) {
						add(ev{handle: handle, session: session, typ: "SESSION_EXPIRED", at: t.Add(15 * time.Minute), payload: map[string]any{"idle_seconds": 900}})
					}
					break
				}
			}
			if dropped && !g.chance(0.35) {
				break
			}
		}
		if reached < len(stages) {
			continue
		}
		lastSession := evs[len(evs)-1].session
		if g.chance(0.1) {
			add(ev{handle: handle, session: lastSession, typ: "CONSENT_REJECTED", at: t, payload: map[string]any{"reason": g.pick([]string{"USER_DECLINED", "TOO_MANY_ACCOUNTS", "PURPOSE_UNCLEAR"})}})
			continue
		}
		add(ev{handle: handle, session: lastSession, typ: "CONSENT_APPROVED", at: t, payload: map[string]any{"consent_id": "cn-" + g.hex(12), "expiry_days": g.pick([]string{"30", "90", "365"})}})
		// A new event type the platform started emitting in September: the warehouse must keep it.
		if t.Month() >= time.September && g.chance(0.3) {
			add(ev{handle: handle, session: lastSession, typ: "CONSENT_ARTEFACT_SIGNED", at: t.Add(2 * time.Second), payload: map[string]any{"signature_alg": "RS256", "artefact_version": "2.0.0"}})
		}
		// FI requests: one per FIP (several for multi-FIP journeys); some consents stop short.
		if g.chance(0.06) {
			continue
		}
		nFips := 1
		if journey == "MULTI_FIP" {
			nFips = g.intn(2, 3)
		}
		perm := g.rng.Perm(len(fipList))
		for k := 0; k < nFips; k++ {
			f := fipList[perm[k]]
			txn := "tx-" + g.hex(12)
			rt := t.Add(time.Duration(g.intn(20, 600)) * time.Second)
			add(ev{handle: handle, txn: txn, typ: "FI_REQUEST_SENT", at: rt, payload: map[string]any{"fip_id": f.id, "fi_type": fiType, "data_range_months": g.pick([]string{"6", "12", "24"})}})
			lat := g.intn(f.latLo, f.latHi)
			if g.chance(0.05) {
				lat *= 4
			}
			dt := rt.Add(time.Duration(lat) * time.Millisecond)
			failP := f.failP
			if f.id == "SBI-FIP" && dt.Month() == time.November {
				failP = 0.45 // an outage month the FIP health mart should show
			}
			if g.chance(failP) {
				add(ev{handle: handle, txn: txn, typ: "FI_DATA_FAILED", at: dt, payload: map[string]any{"fip_id": f.id, "status": "FAILURE", "latency_ms": lat, "error_code": g.pick([]string{"FIP_TIMEOUT", "NO_DATA", "SIGNATURE_MISMATCH"})}})
				continue
			}
			add(ev{handle: handle, txn: txn, typ: "FI_DATA_DELIVERED", at: dt, payload: map[string]any{"fip_id": f.id, "status": "SUCCESS", "latency_ms": lat, "records": g.intn(5, 400)}})
			if g.chance(0.8) {
				add(ev{handle: handle, txn: txn, typ: "FI_DATA_FETCHED", at: dt.Add(time.Duration(g.intn(1, 60)) * time.Second), payload: map[string]any{"fip_id": f.id, "bytes": g.intn(2000, 90000)}})
			}
		}
		if g.chance(0.08) {
			rv := t.Add(time.Duration(g.intn(2, 40)) * 24 * time.Hour)
			if rv.Before(asOf) {
				add(ev{handle: handle, typ: "CONSENT_REVOKED", at: rv, payload: map[string]any{"revoked_by": "USER"}})
			}
		}
		// Heartbeats of an SDK version nobody modelled yet.
		if g.chance(0.04) {
			add(ev{handle: handle, session: lastSession, typ: "SDK_TELEMETRY_V3", at: t.Add(time.Minute), payload: map[string]any{"sdk": "android-3.2.1", "battery_saver": false}})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].ingested.Equal(evs[j].ingested) {
			return evs[i].ingested.Before(evs[j].ingested)
		}
		return evs[i].at.Before(evs[j].at)
	})
	for i, e := range evs {
		if e.at.After(asOf) {
			continue
		}
		payload, err := json.Marshal(e.payload) // map keys are sorted: deterministic
		if err != nil {
			panic(err)
		}
		events.add(fmt.Sprintf("ev-%07d", i+1), e.handle, e.session, e.txn, e.typ, ts(e.at), string(payload), ts(e.ingested))
	}
	return []*table{events, fips, types}
}

// settlements generates the Debezium change log of transactions_to_settle, the merchant
// master and the settlement batches.
func (g *gen) settlements(nTxns, nMerchants int) []*table {
	cdc := &table{name: "pg_transactions_to_settle_cdc", header: []string{"kafka_offset", "op", "ts_ms", "before", "after", "ingested_at"}}
	merch := &table{name: "pg_merchant_master", header: []string{"merchant_id", "merchant_name", "category", "settlement_cycle", "rolling_reserve_percentage", "onboarded_date", "updated_at"}}
	batches := &table{name: "pg_settlement_batches", header: []string{"batch_id", "transaction_id", "settled_at", "bank_reference"}}
	cats := []string{"grocery", "electronics", "travel", "food", "fashion", "utilities"}
	brand := []string{"Kirana", "Mart", "Travels", "Kitchen", "Styles", "Power", "Mobiles", "Cafe"}
	type merchant struct {
		code  string
		cycle int
	}
	var ms []merchant
	for i := 1; i <= nMerchants; i++ {
		code := fmt.Sprintf("MER%04d", i)
		cycle := 1
		if g.chance(0.4) {
			cycle = 2
		}
		reserve := []string{"0.00", "2.50", "5.00", "10.00"}[g.rng.IntN(4)]
		merch.add(code, fmt.Sprintf("%s %s", title(g.pick(lastNames)), g.pick(brand)), g.pick(cats), fmt.Sprintf("T+%d", cycle), reserve,
			day(time.Date(2024, time.Month(g.intn(1, 12)), g.intn(1, 28), 0, 0, 0, 0, time.UTC)), "2024-12-31 23:00:00")
		ms = append(ms, merchant{code, cycle})
	}
	type rec struct {
		op            string
		tsMS          int64
		before, after map[string]string
		ingested      time.Time
	}
	var recs []rec
	snapshotAt := periodStart.Add(-time.Hour)
	emit := func(op string, at time.Time, before, after map[string]string) {
		r := rec{op: op, tsMS: at.UnixMilli(), before: before, after: after}
		delay := time.Duration(g.intn(200, 5000)) * time.Millisecond
		if g.chance(0.04) {
			// Late: a connector restart replays this record hours later, after newer ones.
			delay = time.Duration(g.intn(2, 20)) * time.Hour
		}
		r.ingested = at.Add(delay)
		recs = append(recs, r)
	}
	copyRow := func(m map[string]string) map[string]string {
		c := make(map[string]string, len(m))
		for k, v := range m {
			c[k] = v
		}
		return c
	}
	batchNo := 0
	type batch struct {
		id string
		at time.Time
	}
	batchOf := map[string]batch{} // day|cycle -> batch
	for i := 1; i <= nTxns; i++ {
		id := fmt.Sprintf("PGT%07d", i)
		mer := ms[g.rng.IntN(len(ms))]
		var at time.Time
		snapshot := i <= nTxns/20
		if snapshot {
			at = g.clock(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), 0, 22)
		} else {
			m := int(math.Sqrt(g.rng.Float64())*11.99) + 1
			at = g.clock(time.Date(2025, time.Month(m), g.intn(1, 28), 0, 0, 0, 0, time.UTC), 0, 24)
		}
		mode := g.pickWeighted([]string{"UPI", "CARD", "NETBANKING", "WALLET"}, []float64{0.55, 0.25, 0.12, 0.08})
		row := map[string]string{
			"txn_id": id, "merchant_code": mer.code, "amount": money(g.rupees(50, 25000)),
			"payment_mode": mode, "txn_date": day(at), "is_settled": "0", "status": "PENDING",
		}
		if snapshot {
			// Rows that existed before the connector started arrive as snapshot reads.
			row["status"] = "SUCCESS"
			emit("r", snapshotAt, nil, copyRow(row))
		} else {
			emit("c", at, nil, copyRow(row))
			// The gateway confirms within minutes.
			prev := copyRow(row)
			at = at.Add(time.Duration(g.intn(5, 600)) * time.Second)
			if at.After(asOf) {
				continue
			}
			switch r := g.rng.Float64(); {
			case r < 0.86:
				row["status"] = "SUCCESS"
			case r < 0.95:
				row["status"] = "FAILED"
			default:
				// Stays pending: the acquirer never answered.
			}
			if row["status"] != "PENDING" {
				emit("u", at, prev, copyRow(row))
			}
		}
		// A test transaction created by mistake is deleted shortly after.
		if row["status"] != "SUCCESS" && g.chance(0.25) || g.chance(0.03) {
			dAt := at.Add(time.Duration(g.intn(1, 48)) * time.Hour)
			if dAt.Before(asOf) {
				emit("d", dAt, copyRow(row), nil)
				continue
			}
		}
		if row["status"] != "SUCCESS" {
			continue
		}
		// Settlement: the merchant's cycle, a few left unbatched (reconciled but not settled yet).
		d := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, mer.cycle)
		if g.chance(0.1) {
			d = d.AddDate(0, 0, g.intn(1, 5)) // a delayed batch: past the cycle
		}
		if d.After(asOf) || g.chance(0.07) {
			continue
		}
		key := day(d) + "|" + strconv.Itoa(mer.cycle)
		b, ok := batchOf[key]
		if !ok {
			batchNo++
			b = batch{id: fmt.Sprintf("BATCH-%05d", batchNo), at: d.Add(time.Duration(g.intn(10, 14)) * time.Hour)}
			batchOf[key] = b
		}
		settledAt := b.at
		if settledAt.After(asOf) {
			continue
		}
		batches.add(b.id, id, ts(settledAt), "UTR"+strconv.Itoa(100000000+g.rng.IntN(899999999)))
		prev := copyRow(row)
		row["is_settled"] = "1"
		emit("u", settledAt.Add(time.Duration(g.intn(1, 30))*time.Minute), prev, copyRow(row))
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].ingested.Before(recs[j].ingested) })
	enc := func(m map[string]string) string {
		if m == nil {
			return ""
		}
		b, err := json.Marshal(m)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	for i, r := range recs {
		cdc.add(strconv.Itoa(1000+i), r.op, strconv.FormatInt(r.tsMS, 10), enc(r.before), enc(r.after), ts(r.ingested))
	}
	sort.SliceStable(batches.rows, func(i, j int) bool {
		if batches.rows[i][0] != batches.rows[j][0] {
			return batches.rows[i][0] < batches.rows[j][0]
		}
		return batches.rows[i][1] < batches.rows[j][1]
	})
	return []*table{cdc, merch, batches}
}
