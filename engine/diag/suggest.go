package diag

// Suggest returns the candidate nearest to name by edit distance, or "" when none
// is close enough to be a plausible typo (at most a third of the name's length,
// and at least one edit allowed).
func Suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	limit := len(name) / 3
	if limit < 2 {
		limit = 2
	}
	for _, c := range candidates {
		d := distance(name, c)
		if d > limit {
			continue
		}
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	if a == b {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
