package compile

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

// callNames finds what the regexp it replaced finds, on hand-picked and
// random texts.
func TestCallNamesMatchesTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\s*\(`)
	texts := []string{
		"", "(", "a(", " a (b(", "1a(", "a1(", "_x\t\n(", "x.y(z)", "f (\v(", "é(", "ab_c  d(",
		"{{ dbt_utils.star(from=ref('x')) }} {% if adapter.dispatch('m', 'p')() %}",
		"select cast(x as int) from t where f(1)(2)",
	}
	rng := rand.New(rand.NewPCG(7, 11))
	alphabet := []byte("ab_1 (\t\n\v.é)")
	for range 3000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		var want, got []string
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			want = append(want, m[1])
		}
		callNames(s, func(n string) { got = append(got, n) })
		if !slices.Equal(got, want) {
			t.Fatalf("callNames(%q) = %q, the regexp finds %q", s, got, want)
		}
	}
}
