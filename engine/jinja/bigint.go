package jinja

import (
	"math"
	"math/big"
)

// Python ints have no size limit. An int that does not fit in int64 keeps a
// *big.Int in p; everything else stays in n.

func (v Value) isBig() bool { return v.k == KindInt && v.p != nil }

func (v Value) bigInt() *big.Int {
	if b, ok := v.p.(*big.Int); ok && v.k == KindInt {
		return b
	}
	return big.NewInt(int64(v.n))
}

// intFromBig returns b as an int value, small when it fits.
func intFromBig(b *big.Int) Value {
	if b.IsInt64() {
		return Int(b.Int64())
	}
	return Value{k: KindInt, p: b}
}

func bigFloat(v Value) float64 {
	f, _ := new(big.Float).SetInt(v.bigInt()).Float64()
	return f
}

// intArith does + - * // % ** on two ints, falling back to big ints on
// overflow. ok is false for an operator it does not handle.
func intArith(op string, l, r Value) (Value, bool, error) {
	if !l.isBig() && !r.isBig() {
		x, y := int64(l.n), int64(r.n)
		switch op {
		case "+":
			s := x + y
			if (s > x) == (y > 0) {
				return Int(s), true, nil
			}
		case "-":
			s := x - y
			if (s < x) == (y > 0) {
				return Int(s), true, nil
			}
		case "*":
			if x == 0 || y == 0 {
				return Int(0), true, nil
			}
			p := x * y
			if p/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64) {
				return Int(p), true, nil
			}
		case "//":
			if y == 0 {
				return Value{}, true, Errorf("ZeroDivisionError", "integer division or modulo by zero")
			}
			if !(x == math.MinInt64 && y == -1) {
				return Int(floorDiv(x, y)), true, nil
			}
		case "%":
			if y == 0 {
				return Value{}, true, Errorf("ZeroDivisionError", "integer modulo by zero")
			}
			if y == -1 {
				return Int(0), true, nil
			}
			return Int(x - floorDiv(x, y)*y), true, nil
		case "**":
			if y < 0 {
				break
			}
			r, ok := ipowChecked(x, y)
			if ok {
				return Int(r), true, nil
			}
		default:
			return Value{}, false, nil
		}
	}
	a, b := l.bigInt(), r.bigInt()
	z := new(big.Int)
	switch op {
	case "+":
		z.Add(a, b)
	case "-":
		z.Sub(a, b)
	case "*":
		z.Mul(a, b)
	case "//", "%":
		if b.Sign() == 0 {
			if op == "%" {
				return Value{}, true, Errorf("ZeroDivisionError", "integer modulo by zero")
			}
			return Value{}, true, Errorf("ZeroDivisionError", "integer division or modulo by zero")
		}
		m := new(big.Int)
		z.DivMod(a, b, m) // Euclidean: fix to floor semantics
		if m.Sign() != 0 && b.Sign() < 0 {
			z.Add(z, big.NewInt(1))
			m.Add(m, b)
		}
		if op == "%" {
			return intFromBig(m), true, nil
		}
	case "**":
		if b.Sign() < 0 {
			return Float(math.Pow(bigFloat(l), bigFloat(r))), true, nil
		}
		if b.BitLen() > 32 || a.BitLen()*int(b.Int64()) > 1<<20 {
			return Value{}, true, Errorf("LimitError", "integer result of ** is too large")
		}
		z.Exp(a, b, nil)
	default:
		return Value{}, false, nil
	}
	return intFromBig(z), true, nil
}

func ipowChecked(x, y int64) (int64, bool) {
	r := int64(1)
	for y > 0 {
		if y&1 == 1 {
			p := r * x
			if x != 0 && p/x != r {
				return 0, false
			}
			r = p
		}
		y >>= 1
		if y > 0 {
			sq := x * x
			if x != 0 && sq/x != x {
				return 0, false
			}
			x = sq
		}
	}
	return r, true
}
