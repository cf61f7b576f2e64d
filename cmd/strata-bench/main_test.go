package main

import (
	"math"
	"testing"
)

// The paired ratio compares each round with itself: a host that slows down
// between rounds moves both sides of a round alike.
func TestPairedRatio(t *testing.T) {
	// Rounds 1 and 2 find strata 10% slower; round 3 pairs a fast strata
	// round with a slow replay round.
	a := []float64{1.1, 2.2, 1.1}
	b := []float64{1.0, 2.0, 2.0}
	if got := pairedRatio(a, b); math.Abs(got-1.1) > 1e-9 {
		t.Errorf("pairedRatio = %v, want 1.1", got)
	}
	if got := median(a) / median(b); math.Abs(got-1.1) < 1e-3 {
		t.Errorf("the ratio of medians %v should differ from the paired ratio here", got)
	}
	if got := pairedRatio([]float64{2, 5}, []float64{0, 4}); got != 1.25 {
		t.Errorf("a zero in b is skipped: got %v, want 1.25", got)
	}
}
