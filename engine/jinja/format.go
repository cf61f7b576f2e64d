package jinja

// Python string formatting: the % operator (printf-style formatting, as
// CPython's PyUnicode_Format does it), str.format / str.format_map (as
// string.Formatter does it, which is what Jinja2's SandboxedFormatter
// builds on) and the format-spec mini-language of format(value, spec) for
// str, int, bool and float.

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pfFmtMaxWidth bounds the width and precision a format may ask for: Python
// would build the string, we refuse before allocating it.
const pfFmtMaxWidth = 1 << 24

func pfFmtWidthErr(n int) *Error {
	return &Error{Kind: "LimitError", Msg: "output limit exceeded: a format width or precision of " + strconv.Itoa(n) + " is too large"}
}

// ---------------------------------------------------------------------------
// Small helpers shared with methods.go.

// pfRepr is Python's repr(v), with an undefined value printing as Undefined.
func pfRepr(v Value) string {
	if v.k == KindUndefined {
		return "Undefined"
	}
	return v.Repr()
}

// pfASCII is Python's ascii(): repr with every non-ASCII character escaped.
func pfASCII(v Value) string { return pfAsciiEscape(pfRepr(v)) }

func pfAsciiEscape(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	const hex = "0123456789abcdef"
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r <= 0xff:
			b.WriteString(`\x`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&15])
		case r <= 0xffff:
			b.WriteString(`\u`)
			for sh := 12; sh >= 0; sh -= 4 {
				b.WriteByte(hex[(r>>uint(sh))&15])
			}
		default:
			b.WriteString(`\U`)
			for sh := 28; sh >= 0; sh -= 4 {
				b.WriteByte(hex[(r>>uint(sh))&15])
			}
		}
	}
	return b.String()
}

// pfHtmlEscapeStr is markupsafe's escape of a plain string.
func pfHtmlEscapeStr(s string) string {
	if strings.IndexAny(s, `&<>'"`) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\'':
			b.WriteString("&#39;")
		case '"':
			b.WriteString("&#34;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pfMarkupEscape is markupsafe's escape(v) as a string: a Markup value is kept,
// anything else is converted with str() and escaped.
func pfMarkupEscape(v Value) string {
	if v.k == KindString && v.safe {
		return v.s
	}
	return pfHtmlEscapeStr(v.String())
}

func pfRuneLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// pfRunePrefix returns the first n characters of s.
func pfRunePrefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func pfWriteRepeat(b *strings.Builder, r rune, n int) {
	if n <= 0 {
		return
	}
	if r < utf8.RuneSelf {
		for ; n > 0; n-- {
			b.WriteByte(byte(r))
		}
		return
	}
	for ; n > 0; n-- {
		b.WriteRune(r)
	}
}

// pfDecimalValue is Python's Py_UNICODE_TODECIMAL: the value of a decimal
// digit (any script), or -1.
func pfDecimalValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < utf8.RuneSelf || !unicode.Is(unicode.Nd, r) {
		return -1
	}
	// Nd characters come in contiguous runs of ten, 0 to 9.
	n := 0
	for unicode.Is(unicode.Nd, r-1) {
		r--
		n++
	}
	return n % 10
}

// ---------------------------------------------------------------------------
// Floats as CPython's PyOS_double_to_string formats them.

const (
	pfDtsfSign    = 1 // always add a sign
	pfDtsfAddDot0 = 2 // add ".0" to an integer result (repr-like)
	pfDtsfAlt     = 4 // '#': keep the decimal point and trailing zeros
	pfDtsfNoNeg0  = 8 // 'z': no minus sign on a zero result
)

// pfDtoa returns the digits of f (finite, >= 0) as David Gay's dtoa does:
// no trailing zeros, "0" for zero, and the position of the decimal point.
// mode 0 is the shortest repr, mode 2 gives ndigits significant digits, mode
// 3 ndigits after the decimal point.
func pfDtoa(f float64, mode, ndigits int) (string, int) {
	if f == 0 {
		return "0", 1
	}
	switch mode {
	case 3:
		s := strconv.FormatFloat(f, 'f', ndigits, 64)
		ip, fp, _ := strings.Cut(s, ".")
		decpt := len(ip)
		all := ip + fp
		i := 0
		for i < len(all) && all[i] == '0' {
			i++
			decpt--
		}
		all = all[i:]
		if all == "" {
			return "", -ndigits
		}
		return strings.TrimRight(all, "0"), decpt
	default:
		prec := -1
		if mode == 2 {
			prec = ndigits - 1
		}
		s := strconv.FormatFloat(f, 'e', prec, 64)
		mant, es, _ := strings.Cut(s, "e")
		exp, _ := strconv.Atoi(es)
		digits := mant
		if len(mant) > 1 && mant[1] == '.' {
			digits = mant[:1] + mant[2:]
		}
		digits = strings.TrimRight(digits, "0")
		if digits == "" {
			digits = "0"
		}
		return digits, exp + 1
	}
}

// pfDoubleToString is PyOS_double_to_string: code is one of e E f F g G r.
func pfDoubleToString(val float64, code byte, prec int, flags int) string {
	upper := false
	mode := 0
	switch code {
	case 'E':
		upper = true
		code = 'e'
		fallthrough
	case 'e':
		mode = 2
		prec++
	case 'F':
		upper = true
		code = 'f'
		fallthrough
	case 'f':
		mode = 3
	case 'G':
		upper = true
		code = 'g'
		fallthrough
	case 'g':
		mode = 2
		if prec == 0 {
			prec = 1
		}
	case 'r':
		mode = 0
		prec = 0
	}
	var b []byte
	neg := math.Signbit(val)
	if math.IsNaN(val) || math.IsInf(val, 0) {
		if math.IsNaN(val) {
			neg = false
		}
		if neg {
			b = append(b, '-')
		} else if flags&pfDtsfSign != 0 {
			b = append(b, '+')
		}
		word := "inf"
		if math.IsNaN(val) {
			word = "nan"
		}
		if upper {
			word = strings.ToUpper(word)
		}
		return string(append(b, word...))
	}
	digits, decpt := pfDtoa(math.Abs(val), mode, prec)
	if flags&pfDtsfNoNeg0 != 0 && neg && (digits == "" || digits == "0") {
		neg = false
	}
	addDot0 := flags&pfDtsfAddDot0 != 0
	alt := flags&pfDtsfAlt != 0
	vEnd := len(digits)
	useExp := false
	switch code {
	case 'e':
		useExp = true
		vEnd = prec
	case 'f':
		vEnd = decpt + prec
	case 'g':
		lim := prec
		if addDot0 {
			lim = prec - 1
		}
		if decpt <= -4 || decpt > lim {
			useExp = true
		}
		if alt {
			vEnd = prec
		}
	case 'r':
		if decpt <= -4 || decpt > 16 {
			useExp = true
		}
	}
	exp := 0
	if useExp {
		exp = decpt - 1
		decpt = 1
	}
	vStart := 0
	if decpt <= 0 {
		vStart = decpt - 1
	}
	if !useExp && addDot0 {
		vEnd = max(vEnd, decpt+1)
	} else {
		vEnd = max(vEnd, decpt)
	}
	b = make([]byte, 0, 8+vEnd-vStart)
	if neg {
		b = append(b, '-')
	} else if flags&pfDtsfSign != 0 {
		b = append(b, '+')
	}
	zeros := func(n int) {
		for ; n > 0; n-- {
			b = append(b, '0')
		}
	}
	if decpt <= 0 {
		zeros(decpt - vStart)
		b = append(b, '.')
		zeros(-decpt)
	} else {
		zeros(-vStart)
	}
	if 0 < decpt && decpt <= len(digits) {
		b = append(b, digits[:decpt]...)
		b = append(b, '.')
		b = append(b, digits[decpt:]...)
	} else {
		b = append(b, digits...)
	}
	if len(digits) < decpt {
		zeros(decpt - len(digits))
		b = append(b, '.')
		zeros(vEnd - decpt)
	} else {
		zeros(vEnd - len(digits))
	}
	if b[len(b)-1] == '.' && !alt {
		b = b[:len(b)-1]
	}
	if useExp {
		if upper {
			b = append(b, 'E')
		} else {
			b = append(b, 'e')
		}
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		b = strconv.AppendInt(b, int64(exp), 10)
	}
	return string(b)
}

// ---------------------------------------------------------------------------
// printf-style formatting: format % arg.

// percentFormat is Python's format % arg for a str format.
func percentFormat(format string, arg Value) (string, error) {
	return pfPctFormat(format, arg, false)
}

// percentFormatValue is format % arg where format may be a Markup string:
// then, as markupsafe's Markup.__mod__ does, the arguments are escaped and
// the result is Markup.
func percentFormatValue(format Value, arg Value) (Value, error) {
	out, err := pfPctFormat(format.s, arg, format.safe)
	if err != nil {
		return Value{}, err
	}
	if format.safe {
		return Markup(out), nil
	}
	return String(out), nil
}

const (
	pfPctLJust = 1 << iota
	pfPctSign
	pfPctBlank
	pfPctAlt
	pfPctZero
)

type pfPctArg struct {
	ch    rune
	flags int
	width int
	prec  int
	sign  bool
}

// pfPctIsMapping is CPython's PyMapping_Check for the % operator: any value
// with __getitem__ that is not a tuple or a str.
func pfPctIsMapping(v Value) bool {
	switch v.k {
	case KindDict, KindList, KindUndefined:
		return true
	case KindObject:
		_, ok := v.p.(ItemGetter)
		return ok
	}
	return false
}

func pfPctGetItem(m Value, key string) (Value, error) {
	switch m.k {
	case KindDict:
		if v, ok := m.Dict().GetStr(key); ok {
			return v, nil
		}
	case KindUndefined:
		return Value{}, m.undefinedError()
	case KindList:
		return Value{}, typeErrorf("list indices must be integers or slices, not str")
	case KindObject:
		if ig, ok := m.p.(ItemGetter); ok {
			if v, ok := ig.Item(String(key)); ok {
				return v, nil
			}
		}
	}
	return Value{}, Errorf("KeyError", "%s", PyQuote(key))
}

func pfPctFormat(format string, arg Value, esc bool) (string, error) {
	if strings.IndexByte(format, '%') < 0 {
		if arg.k == KindTuple && len(arg.List().Items) > 0 || arg.k != KindTuple && !pfPctIsMapping(arg) {
			return "", typeErrorf("not all arguments converted during string formatting")
		}
		return format, nil
	}
	var (
		tuple  []Value
		argLen = -1
		argIdx = -2
		cur    = arg // the single argument (or the value of the last %(key))
	)
	if arg.k == KindTuple {
		tuple = arg.List().Items
		argLen = len(tuple)
		argIdx = 0
	}
	isMap := arg.k != KindTuple && pfPctIsMapping(arg)
	next := func() (Value, error) {
		if argIdx < argLen {
			argIdx++
			if argLen < 0 {
				return cur, nil
			}
			return tuple[argIdx-1], nil
		}
		return Value{}, typeErrorf("not enough arguments for format string")
	}

	var b strings.Builder
	b.Grow(len(format) + 16)
	n := len(format)
	i := 0
	for i < n {
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			b.WriteString(format[i:])
			break
		}
		b.WriteString(format[i : i+j])
		i += j + 1 // past '%'
		if i < n && format[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		a := pfPctArg{width: -1, prec: -1}
		// read returns the next character (0 at the end).
		read := func() (rune, bool) {
			if i >= n {
				return 0, false
			}
			r, size := utf8.DecodeRuneInString(format[i:])
			i += size
			return r, true
		}
		if i < n && format[i] == '(' {
			if !isMap {
				return "", typeErrorf("format requires a mapping")
			}
			i++
			start := i
			depth := 1
			for depth > 0 && i < n {
				switch format[i] {
				case ')':
					depth--
				case '(':
					depth++
				}
				i++
			}
			if depth > 0 {
				return "", Errorf("ValueError", "incomplete format key")
			}
			v, err := pfPctGetItem(arg, format[start:i-1])
			if err != nil {
				return "", err
			}
			cur = v
			argLen = -1
			argIdx = -2
		}
		ch, ok := read()
	flags:
		for ok {
			switch ch {
			case '-':
				a.flags |= pfPctLJust
			case '+':
				a.flags |= pfPctSign
			case ' ':
				a.flags |= pfPctBlank
			case '#':
				a.flags |= pfPctAlt
			case '0':
				a.flags |= pfPctZero
			default:
				break flags
			}
			ch, ok = read()
		}
		if ok && ch == '*' {
			v, err := next()
			if err != nil {
				return "", err
			}
			if v.k != KindInt && v.k != KindBool {
				return "", typeErrorf("* wants int")
			}
			if v.isBig() {
				return "", Errorf("OverflowError", "Python int too large to convert to C ssize_t")
			}
			a.width = int(v.AsInt())
			if a.width < 0 {
				a.flags |= pfPctLJust
				a.width = -a.width
			}
			ch, ok = read()
		} else if ok && ch >= '0' && ch <= '9' {
			a.width = int(ch - '0')
			for ch, ok = read(); ok && ch >= '0' && ch <= '9'; ch, ok = read() {
				if a.width > (math.MaxInt64-int(ch-'0'))/10 {
					return "", Errorf("ValueError", "width too big")
				}
				a.width = a.width*10 + int(ch-'0')
			}
		}
		if ok && ch == '.' {
			a.prec = 0
			ch, ok = read()
			if ok && ch == '*' {
				v, err := next()
				if err != nil {
					return "", err
				}
				if v.k != KindInt && v.k != KindBool {
					return "", typeErrorf("* wants int")
				}
				if v.isBig() || v.AsInt() > math.MaxInt32 || v.AsInt() < math.MinInt32 {
					return "", Errorf("OverflowError", "Python int too large to convert to C int")
				}
				a.prec = int(v.AsInt())
				if a.prec < 0 {
					a.prec = 0
				}
				ch, ok = read()
			} else if ok && ch >= '0' && ch <= '9' {
				a.prec = int(ch - '0')
				for ch, ok = read(); ok && ch >= '0' && ch <= '9'; ch, ok = read() {
					if a.prec > (math.MaxInt32-int(ch-'0'))/10 {
						return "", Errorf("ValueError", "precision too big")
					}
					a.prec = a.prec*10 + int(ch-'0')
				}
			}
		}
		if ok && (ch == 'h' || ch == 'l' || ch == 'L') {
			ch, ok = read()
		}
		if !ok {
			return "", Errorf("ValueError", "incomplete format")
		}
		a.ch = ch
		v, err := next()
		if err != nil {
			return "", err
		}
		if a.width > pfFmtMaxWidth || a.prec > pfFmtMaxWidth {
			return "", pfFmtWidthErr(max(a.width, a.prec))
		}
		var str string
		switch ch {
		case 's':
			if esc {
				str = pfMarkupEscape(v)
			} else {
				str = v.String()
			}
		case 'r':
			str = pfRepr(v)
			if esc {
				str = pfHtmlEscapeStr(str)
			}
		case 'a':
			str = pfASCII(v)
			if esc {
				str = pfHtmlEscapeStr(str)
			}
		case 'i', 'd', 'u', 'o', 'x', 'X':
			if esc {
				if v, err = pfEscNumber(v, ch); err != nil {
					return "", err
				}
			}
			str, err = pfPctFormatInt(v, &a)
			if err != nil {
				return "", err
			}
			a.sign = true
		case 'e', 'E', 'f', 'F', 'g', 'G':
			if esc {
				if v, err = pfEscNumber(v, ch); err != nil {
					return "", err
				}
			}
			x, err := pfFloatArg(v)
			if err != nil {
				return "", err
			}
			prec := a.prec
			if prec < 0 {
				prec = 6
			}
			fl := 0
			if a.flags&pfPctAlt != 0 {
				fl = pfDtsfAlt
			}
			str = pfDoubleToString(x, byte(ch), prec, fl)
			a.sign = true
		case 'c':
			r, err := pfPctChar(v, esc)
			if err != nil {
				return "", err
			}
			str = string(r)
		default:
			shown := "?"
			if ch >= 31 && ch <= 126 {
				shown = string(ch)
			}
			idx := utf8.RuneCountInString(format[:i]) - 1
			return "", Errorf("ValueError", "unsupported format character '%s' (0x%x) at index %d", shown, ch, idx)
		}
		pfPctOutput(&b, &a, str)
	}
	if argIdx < argLen && !isMap {
		return "", typeErrorf("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

// pfIntToFloat is float(int): OverflowError when it is too large.
func pfIntToFloat(v Value) (float64, error) {
	f := v.AsFloat()
	if math.IsInf(f, 0) {
		return 0, Errorf("OverflowError", "int too large to convert to float")
	}
	return f, nil
}

// pfEscNumber converts an argument of a Markup format for a numeric
// conversion as markupsafe's _MarkupEscapeHelper does: through int(obj) or
// float(obj), so a numeric string works, and the helper's type name shows in
// the errors.
func pfEscNumber(v Value, ch rune) (Value, error) {
	const helper = "_MarkupEscapeHelper"
	switch ch {
	case 'o', 'x', 'X':
		return Value{}, typeErrorf("%%%c format: an integer is required, not %s", ch, helper)
	case 'e', 'E', 'f', 'F', 'g', 'G':
		switch v.k {
		case KindInt, KindBool, KindFloat, KindUndefined:
			return v, nil
		case KindString:
			f, ok := pfParseFloatStr(v.s)
			if !ok {
				return Value{}, Errorf("ValueError", "could not convert string to float: %s", PyQuote(v.s))
			}
			return Float(f), nil
		}
		return Value{}, typeErrorf("float() argument must be a string or a real number, not '%s'", v.TypeName())
	}
	switch v.k {
	case KindInt, KindBool, KindFloat, KindUndefined:
		return v, nil
	case KindString:
		n, ok := pfParseIntStr(v.s)
		if !ok {
			return Value{}, Errorf("ValueError", "invalid literal for int() with base 10: %s", PyQuote(v.s))
		}
		return n, nil
	}
	return Value{}, typeErrorf("%%%c format: a real number is required, not %s", ch, helper)
}

// pfParseIntStr is int(str) in base 10.
func pfParseIntStr(str string) (Value, bool) {
	t := pmStripSpace(str, 0)
	var b strings.Builder
	i := 0
	if t != "" && (t[0] == '+' || t[0] == '-') {
		if t[0] == '-' {
			b.WriteByte('-')
		}
		i = 1
	}
	digits := false
	prevUnderscore := false
	for _, r := range t[i:] {
		if r == '_' {
			if !digits || prevUnderscore {
				return Value{}, false
			}
			prevUnderscore = true
			continue
		}
		d := pfDecimalValue(r)
		if d < 0 {
			return Value{}, false
		}
		b.WriteByte(byte('0' + d))
		digits = true
		prevUnderscore = false
	}
	if !digits || prevUnderscore {
		return Value{}, false
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	if !ok {
		return Value{}, false
	}
	return intFromBig(n), true
}

// pfParseFloatStr is float(str).
func pfParseFloatStr(str string) (float64, bool) { return parsePyFloat(str) }

// pfFloatArg is PyFloat_AsDouble for % formatting.
func pfFloatArg(v Value) (float64, error) {
	switch v.k {
	case KindInt, KindBool:
		return pfIntToFloat(v)
	case KindFloat:
		return v.AsFloat(), nil
	case KindUndefined:
		return 0, v.undefinedError()
	}
	return 0, typeErrorf("must be real number, not %s", v.TypeName())
}

func pfPctChar(v Value, esc bool) (rune, error) {
	switch {
	case esc:
	case v.k == KindString:
		r, size := utf8.DecodeRuneInString(v.s)
		if size > 0 && size == len(v.s) {
			return r, nil
		}
	case v.k == KindInt || v.k == KindBool:
		x := v.AsInt()
		if v.isBig() || x < 0 || x > unicode.MaxRune {
			return 0, Errorf("OverflowError", "%%c arg not in range(0x110000)")
		}
		return rune(x), nil
	}
	return 0, typeErrorf("%%c requires int or char")
}

// pfPctFormatInt formats v for %d %i %u %o %x %X as _PyUnicode_FormatLong
// does: [-][0x][zeros]digits.
func pfPctFormatInt(v Value, a *pfPctArg) (string, error) {
	var neg bool
	var digits string
	switch v.k {
	case KindInt, KindBool:
		neg, digits = pfIntDigits(v, pfPctBase(a.ch))
	case KindFloat:
		if a.ch == 'o' || a.ch == 'x' || a.ch == 'X' {
			return "", typeErrorf("%%%c format: an integer is required, not float", a.ch)
		}
		f := v.AsFloat()
		if math.IsInf(f, 0) {
			return "", Errorf("OverflowError", "cannot convert float infinity to integer")
		}
		if math.IsNaN(f) {
			return "", Errorf("ValueError", "cannot convert float NaN to integer")
		}
		f = math.Trunc(f)
		if f == 0 {
			digits = "0"
		} else {
			neg = f < 0
			digits = strconv.FormatFloat(math.Abs(f), 'f', 0, 64)
		}
	case KindUndefined:
		if a.ch == 'o' || a.ch == 'x' || a.ch == 'X' {
			return "", typeErrorf("%%%c format: an integer is required, not Undefined", a.ch)
		}
		return "", v.undefinedError()
	default:
		if a.ch == 'o' || a.ch == 'x' || a.ch == 'X' {
			return "", typeErrorf("%%%c format: an integer is required, not %s", a.ch, v.TypeName())
		}
		return "", typeErrorf("%%%c format: a real number is required, not %s", a.ch, v.TypeName())
	}
	var b strings.Builder
	b.Grow(len(digits) + 4)
	if neg {
		b.WriteByte('-')
	}
	if a.flags&pfPctAlt != 0 {
		switch a.ch {
		case 'o':
			b.WriteString("0o")
		case 'x':
			b.WriteString("0x")
		case 'X':
			b.WriteString("0X")
		}
	}
	for k := len(digits); k < a.prec; k++ {
		b.WriteByte('0')
	}
	if a.ch == 'X' {
		digits = strings.ToUpper(digits)
	}
	b.WriteString(digits)
	return b.String(), nil
}

func pfPctBase(ch rune) int {
	switch ch {
	case 'o':
		return 8
	case 'x', 'X':
		return 16
	}
	return 10
}

// pfIntDigits returns the sign and the digits of the magnitude of int v.
func pfIntDigits(v Value, base int) (bool, string) {
	if v.isBig() {
		b := v.bigInt()
		return b.Sign() < 0, new(big.Int).Abs(b).Text(base)
	}
	x := v.AsInt()
	if x < 0 {
		return true, strconv.FormatUint(uint64(-x), base) // -MinInt64 wraps to itself: right as unsigned
	}
	return false, strconv.FormatUint(uint64(x), base)
}

// pfPctOutput is CPython's unicode_format_arg_output: sign, zero padding, the
// 0x prefix of %#x and the width.
func pfPctOutput(b *strings.Builder, a *pfPctArg, str string) {
	fill := ' '
	if a.sign && a.flags&pfPctZero != 0 {
		fill = '0'
	}
	length := pfRuneLen(str)
	if (a.width == -1 || a.width <= length) && (a.prec == -1 || a.prec >= length) && a.flags&(pfPctSign|pfPctBlank) == 0 {
		b.WriteString(str)
		return
	}
	if a.ch == 's' || a.ch == 'r' || a.ch == 'a' {
		if a.prec >= 0 && length > a.prec {
			str = pfRunePrefix(str, a.prec)
			length = a.prec
		}
	}
	var signch byte
	if a.sign {
		if c := str[0]; c == '-' || c == '+' {
			signch = c
			length--
			str = str[1:]
		} else if a.flags&pfPctSign != 0 {
			signch = '+'
		} else if a.flags&pfPctBlank != 0 {
			signch = ' '
		} else {
			a.sign = false
		}
	}
	width := a.width
	if width < length {
		width = length
	}
	if a.sign {
		if fill != ' ' {
			b.WriteByte(signch)
		}
		if width > length {
			width--
		}
	}
	hasPrefix := a.flags&pfPctAlt != 0 && (a.ch == 'x' || a.ch == 'X' || a.ch == 'o')
	prefix := ""
	if hasPrefix {
		prefix = str[:2]
		if fill != ' ' {
			b.WriteString(prefix)
			str = str[2:]
		}
		width -= 2
		if width < 0 {
			width = 0
		}
		length -= 2
	}
	if width > length && a.flags&pfPctLJust == 0 {
		pfWriteRepeat(b, fill, width-length)
		width = length
	}
	if fill == ' ' {
		if a.sign {
			b.WriteByte(signch)
		}
		if hasPrefix {
			b.WriteString(prefix)
			str = str[2:]
		}
	}
	b.WriteString(str)
	if width > length {
		pfWriteRepeat(b, ' ', width-length)
	}
}

// ---------------------------------------------------------------------------
// The format-spec mini-language: format(value, spec).

type pfFmtSpec struct {
	fill   rune
	align  rune // '<' '>' '^' '=' (or the default)
	sign   rune // 0 '+' '-' ' '
	noNeg0 bool
	alt    bool
	width  int  // -1: none
	sep    byte // 0, ',' or '_'
	group  int  // digits per group: 3, or 4 for _ with b o x X
	prec   int  // -1: none
	typ    rune // 0: none
}

func pfIsAlignRune(r rune) bool { return r == '<' || r == '>' || r == '=' || r == '^' }

// pfSpecInt is get_integer of formatter_unicode.c.
func pfSpecInt(rs []rune, pos *int) (int, bool, error) {
	n := 0
	consumed := false
	for *pos < len(rs) {
		d := pfDecimalValue(rs[*pos])
		if d < 0 {
			break
		}
		if n > (math.MaxInt64-d)/10 {
			return 0, false, Errorf("ValueError", "Too many decimal digits in format string")
		}
		n = n*10 + d
		consumed = true
		*pos++
	}
	return n, consumed, nil
}

// pfParseFormatSpec is parse_internal_render_format_spec.
func pfParseFormatSpec(spec string, typeName string, defType rune, defAlign rune) (pfFmtSpec, error) {
	f := pfFmtSpec{fill: ' ', align: defAlign, width: -1, prec: -1, typ: defType}
	rs := []rune(spec)
	pos := 0
	end := len(rs)
	fillGiven, alignGiven := false, false
	if end-pos >= 2 && pfIsAlignRune(rs[pos+1]) {
		f.align = rs[pos+1]
		f.fill = rs[pos]
		fillGiven, alignGiven = true, true
		pos += 2
	} else if end-pos >= 1 && pfIsAlignRune(rs[pos]) {
		f.align = rs[pos]
		alignGiven = true
		pos++
	}
	if pos < end && (rs[pos] == '+' || rs[pos] == '-' || rs[pos] == ' ') {
		f.sign = rs[pos]
		pos++
	}
	if pos < end && rs[pos] == 'z' {
		f.noNeg0 = true
		pos++
	}
	if pos < end && rs[pos] == '#' {
		f.alt = true
		pos++
	}
	if !fillGiven && pos < end && rs[pos] == '0' {
		f.fill = '0'
		if !alignGiven && defAlign == '>' {
			f.align = '='
		}
		pos++
	}
	w, ok, err := pfSpecInt(rs, &pos)
	if err != nil {
		return f, err
	}
	if ok {
		f.width = w
	}
	if pos < end && rs[pos] == ',' {
		f.sep = ','
		pos++
	}
	if pos < end && rs[pos] == '_' {
		if f.sep != 0 {
			return f, Errorf("ValueError", "Cannot specify both ',' and '_'.")
		}
		f.sep = '_'
		pos++
	}
	if pos < end && rs[pos] == ',' && f.sep == '_' {
		return f, Errorf("ValueError", "Cannot specify both ',' and '_'.")
	}
	if pos < end && rs[pos] == '.' {
		pos++
		p, ok, err := pfSpecInt(rs, &pos)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, Errorf("ValueError", "Format specifier missing precision")
		}
		f.prec = p
	}
	if end-pos > 1 {
		return f, Errorf("ValueError", "Invalid format specifier '%s' for object of type '%s'", spec, typeName)
	}
	if end-pos == 1 {
		f.typ = rs[pos]
	}
	if f.sep != 0 {
		f.group = 3
		switch f.typ {
		case 'd', 'e', 'f', 'g', 'E', 'G', '%', 'F', 0:
		case 'b', 'o', 'x', 'X':
			if f.sep == '_' {
				f.group = 4
				break
			}
			fallthrough
		default:
			if f.typ > 32 && f.typ < 128 {
				return f, Errorf("ValueError", "Cannot specify '%c' with '%c'.", f.sep, f.typ)
			}
			return f, Errorf("ValueError", "Cannot specify '%c' with '\\x%x'.", f.sep, f.typ)
		}
	}
	if f.width > pfFmtMaxWidth || f.prec > pfFmtMaxWidth {
		return f, pfFmtWidthErr(max(f.width, f.prec))
	}
	return f, nil
}

func pfUnknownFormatCode(typ rune, typeName string) *Error {
	if typ > 32 && typ < 128 {
		return Errorf("ValueError", "Unknown format code '%c' for object of type '%s'", typ, typeName)
	}
	return Errorf("ValueError", "Unknown format code '\\x%x' for object of type '%s'", typ, typeName)
}

// pfFormatSpecValue is Python's format(v, spec).
func pfFormatSpecValue(v Value, spec string) (string, error) {
	switch v.k {
	case KindString:
		if spec == "" {
			return v.s, nil
		}
		return pfFormatStrSpec(v.s, spec, v.TypeName())
	case KindInt:
		if spec == "" {
			return v.String(), nil
		}
		return pfFormatIntSpec(v, spec, "int")
	case KindBool:
		if spec == "" {
			return v.String(), nil
		}
		return pfFormatIntSpec(v, spec, "bool")
	case KindFloat:
		if spec == "" {
			return FormatFloat(v.AsFloat()), nil
		}
		return pfFormatFloatSpec(v.AsFloat(), spec, "float")
	}
	if spec == "" {
		return v.String(), nil
	}
	return "", typeErrorf("unsupported format string passed to %s.__format__", v.TypeName())
}

func pfFormatStrSpec(s, spec, typeName string) (string, error) {
	f, err := pfParseFormatSpec(spec, typeName, 's', '<')
	if err != nil {
		return "", err
	}
	if f.typ != 's' {
		return "", pfUnknownFormatCode(f.typ, typeName)
	}
	switch {
	case f.sign == ' ':
		return "", Errorf("ValueError", "Space not allowed in string format specifier")
	case f.sign != 0:
		return "", Errorf("ValueError", "Sign not allowed in string format specifier")
	case f.noNeg0:
		return "", Errorf("ValueError", "Negative zero coercion (z) not allowed in string format specifier")
	case f.alt:
		return "", Errorf("ValueError", "Alternate form (#) not allowed in string format specifier")
	case f.align == '=':
		return "", Errorf("ValueError", "'=' alignment not allowed in string format specifier")
	}
	n := pfRuneLen(s)
	if f.prec >= 0 && n >= f.prec {
		s = pfRunePrefix(s, f.prec)
		n = f.prec
	}
	total := n
	if f.width > n {
		total = f.width
	}
	lpad := 0
	switch f.align {
	case '>':
		lpad = total - n
	case '^':
		lpad = (total - n) / 2
	}
	rpad := total - n - lpad
	if lpad == 0 && rpad == 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + lpad + rpad)
	pfWriteRepeat(&b, f.fill, lpad)
	b.WriteString(s)
	pfWriteRepeat(&b, f.fill, rpad)
	return b.String(), nil
}

func pfFormatIntSpec(v Value, spec, typeName string) (string, error) {
	f, err := pfParseFormatSpec(spec, typeName, 'd', '>')
	if err != nil {
		return "", err
	}
	switch f.typ {
	case 'b', 'c', 'd', 'o', 'x', 'X', 'n':
	case 'e', 'E', 'f', 'F', 'g', 'G', '%':
		x, err := pfIntToFloat(v)
		if err != nil {
			return "", err
		}
		return pfFormatFloatWith(x, &f), nil
	default:
		return "", pfUnknownFormatCode(f.typ, typeName)
	}
	if f.prec != -1 {
		return "", Errorf("ValueError", "Precision not allowed in integer format specifier")
	}
	if f.noNeg0 {
		return "", Errorf("ValueError", "Negative zero coercion (z) not allowed in integer format specifier")
	}
	var b strings.Builder
	if f.typ == 'c' {
		if f.sign != 0 {
			return "", Errorf("ValueError", "Sign not allowed with integer format specifier 'c'")
		}
		if f.alt {
			return "", Errorf("ValueError", "Alternate form (#) not allowed with integer format specifier 'c'")
		}
		x := v.AsInt()
		if v.isBig() {
			return "", Errorf("OverflowError", "Python int too large to convert to C long")
		}
		if x < 0 || x > unicode.MaxRune {
			return "", Errorf("OverflowError", "%%c arg not in range(0x110000)")
		}
		pfNumberField(&b, &f, 0, "", "", false, string(rune(x)))
		return b.String(), nil
	}
	base := 10
	prefix := ""
	switch f.typ {
	case 'b':
		base, prefix = 2, "0b"
	case 'o':
		base, prefix = 8, "0o"
	case 'x':
		base, prefix = 16, "0x"
	case 'X':
		base, prefix = 16, "0X"
	}
	if !f.alt {
		prefix = ""
	}
	neg, digits := pfIntDigits(v, base)
	if f.typ == 'X' {
		digits = strings.ToUpper(digits)
	}
	var signch byte
	if neg {
		signch = '-'
	}
	if f.typ == 'n' {
		f.group = 0 // the C locale: no grouping
	}
	pfNumberField(&b, &f, signch, prefix, digits, false, "")
	return b.String(), nil
}

func pfFormatFloatSpec(x float64, spec, typeName string) (string, error) {
	f, err := pfParseFormatSpec(spec, typeName, 0, '>')
	if err != nil {
		return "", err
	}
	switch f.typ {
	case 0, 'e', 'E', 'f', 'F', 'g', 'G', 'n', '%':
	default:
		return "", pfUnknownFormatCode(f.typ, typeName)
	}
	return pfFormatFloatWith(x, &f), nil
}

// pfFormatFloatWith is format_float_internal.
func pfFormatFloatWith(val float64, f *pfFmtSpec) string {
	typ := f.typ
	prec := f.prec
	flags := 0
	if f.alt {
		flags |= pfDtsfAlt
	}
	if f.noNeg0 {
		flags |= pfDtsfNoNeg0
	}
	defPrec := 6
	if typ == 0 {
		flags |= pfDtsfAddDot0
		typ = 'r'
		defPrec = 0
	}
	if typ == 'n' {
		typ = 'g'
		f.group = 0
	}
	pct := false
	if typ == '%' {
		typ = 'f'
		val *= 100
		pct = true
	}
	if prec < 0 {
		prec = defPrec
	} else if typ == 'r' {
		typ = 'g'
	}
	s := pfDoubleToString(val, byte(typ), prec, flags)
	if pct {
		s += "%"
	}
	var signch byte
	if s[0] == '-' {
		signch = '-'
		s = s[1:]
	}
	k := 0
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	digits := s[:k]
	rest := s[k:]
	hasDec := false
	if rest != "" && rest[0] == '.' {
		hasDec = true
		rest = rest[1:]
	}
	var b strings.Builder
	pfNumberField(&b, f, signch, "", digits, hasDec, rest)
	return b.String()
}

// pfNumberField writes a number as calc_number_widths and fill_number lay it
// out: padding, sign, prefix, zero padding, grouped digits, decimal point,
// remainder, padding.
func pfNumberField(b *strings.Builder, f *pfFmtSpec, signch byte, prefix, digits string, hasDec bool, remainder string) {
	var sign byte
	switch f.sign {
	case '+':
		sign = '+'
		if signch == '-' {
			sign = '-'
		}
	case ' ':
		sign = ' '
		if signch == '-' {
			sign = '-'
		}
	default:
		sign = signch
	}
	nSign := 0
	if sign != 0 {
		nSign = 1
	}
	nDec := 0
	if hasDec {
		nDec = 1
	}
	nNonDigit := nSign + len(prefix) + nDec + pfRuneLen(remainder)
	minWidth := 0
	if f.fill == '0' && f.align == '=' {
		minWidth = f.width - nNonDigit
	}
	grouped := ""
	if digits != "" {
		grouped = pfGroupDigits(digits, minWidth, f.group, f.sep)
	}
	pad := f.width - (nNonDigit + len(grouped))
	lpad, spad, rpad := 0, 0, 0
	if pad > 0 {
		switch f.align {
		case '<':
			rpad = pad
		case '^':
			lpad = pad / 2
			rpad = pad - lpad
		case '=':
			spad = pad
		default:
			lpad = pad
		}
	}
	b.Grow(lpad + spad + rpad + nNonDigit + len(grouped))
	pfWriteRepeat(b, f.fill, lpad)
	if sign != 0 {
		b.WriteByte(sign)
	}
	b.WriteString(prefix)
	pfWriteRepeat(b, f.fill, spad)
	b.WriteString(grouped)
	if hasDec {
		b.WriteByte('.')
	}
	b.WriteString(remainder)
	pfWriteRepeat(b, f.fill, rpad)
}

// pfGroupDigits is _PyUnicode_InsertThousandsGrouping: it inserts sep every
// group digits (group 0: no grouping) and pads with zeros to minWidth.
func pfGroupDigits(digits string, minWidth int, group int, sep byte) string {
	if group == 0 && minWidth <= len(digits) {
		return digits
	}
	var chunks []string // right to left
	remaining := len(digits)
	pos := len(digits)
	useSep := false
	emit := func(l int) {
		zeros := max(0, l-remaining)
		chars := max(0, min(remaining, l))
		var c strings.Builder
		pfWriteRepeat(&c, '0', zeros)
		c.WriteString(digits[pos-chars : pos])
		if useSep {
			c.WriteByte(sep)
		}
		pos -= chars
		chunks = append(chunks, c.String())
		remaining -= chars
	}
	broken := false
	if group > 0 {
		for {
			l := min(group, max(max(remaining, minWidth), 1))
			emit(l)
			useSep = true
			minWidth -= l
			if remaining <= 0 && minWidth <= 0 {
				broken = true
				break
			}
			minWidth--
		}
	}
	if !broken {
		emit(max(max(remaining, minWidth), 1))
	}
	var b strings.Builder
	for k := len(chunks) - 1; k >= 0; k-- {
		b.WriteString(chunks[k])
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// str.format, through Jinja2's SandboxedFormatter (string.Formatter).

// pyFormat is str.format(*args, **kwargs) on a plain str.
func pyFormat(s *State, format string, args Args) (string, error) {
	f := pfStrFormatter{s: s, pos: args.Pos, kw: args.Kw}
	out, _, err := f.vformat(format, 2, 0)
	return out, err
}

// pfFormatMap is str.format_map(mapping).
func pfFormatMap(s *State, format string, mapping Value, esc bool) (string, error) {
	f := pfStrFormatter{s: s, mapping: mapping, useMap: true, esc: esc}
	out, _, err := f.vformat(format, 2, 0)
	return out, err
}

type pfStrFormatter struct {
	s       *State
	pos     []Value
	kw      []KwArg
	mapping Value
	useMap  bool
	esc     bool // a Markup receiver: escape the fields (markupsafe's EscapeFormatter)
}

// vformat is string.Formatter._vformat. auto is the automatic field number,
// -1 once a field was numbered by hand.
func (f *pfStrFormatter) vformat(format string, depth int, auto int) (string, int, error) {
	if depth < 0 {
		return "", auto, Errorf("ValueError", "Max string recursion exceeded")
	}
	if strings.IndexAny(format, "{}") < 0 {
		return format, auto, nil
	}
	var b strings.Builder
	b.Grow(len(format) + 16)
	i, n := 0, len(format)
	for i < n {
		// Literal text up to the next { or }.
		j := i
		for j < n && format[j] != '{' && format[j] != '}' {
			j++
		}
		b.WriteString(format[i:j])
		if j >= n {
			break
		}
		c := format[j]
		atEnd := j+1 >= n
		if c == '}' {
			if atEnd || format[j+1] != '}' {
				return "", auto, Errorf("ValueError", "Single '}' encountered in format string")
			}
			b.WriteByte('}')
			i = j + 2
			continue
		}
		if atEnd {
			return "", auto, Errorf("ValueError", "Single '{' encountered in format string")
		}
		if format[j+1] == '{' {
			b.WriteByte('{')
			i = j + 2
			continue
		}
		// A field: parse_field.
		k := j + 1
		var fc byte
		for k < n {
			fc = format[k]
			k++
			if fc == '{' {
				return "", auto, Errorf("ValueError", "unexpected '{' in field name")
			}
			if fc == '[' {
				for k < n && format[k] != ']' {
					k++
				}
				fc = 0
				continue
			}
			if fc == '}' || fc == ':' || fc == '!' {
				break
			}
			fc = 0
		}
		var name, spec string
		var conv rune
		switch fc {
		case '}':
			name = format[j+1 : k-1]
		case '!', ':':
			name = format[j+1 : k-1]
			if fc == '!' {
				if k >= n {
					return "", auto, Errorf("ValueError", "end of string while looking for conversion specifier")
				}
				r, size := utf8.DecodeRuneInString(format[k:])
				conv = r
				k += size
				if k < n {
					c2 := format[k]
					k++
					if c2 == '}' {
						goto field
					}
					if c2 != ':' {
						return "", auto, Errorf("ValueError", "expected ':' after conversion specifier")
					}
				}
			}
			{
				start := k
				count := 1
				for k < n {
					c2 := format[k]
					k++
					if c2 == '{' {
						count++
					} else if c2 == '}' {
						count--
						if count == 0 {
							spec = format[start : k-1]
							goto field
						}
					}
				}
				return "", auto, Errorf("ValueError", "unmatched '{' in format spec")
			}
		default:
			return "", auto, Errorf("ValueError", "expected '}' before end of string")
		}
	field:
		i = k
		if name == "" {
			if auto == -1 {
				return "", auto, Errorf("ValueError", "cannot switch from manual field specification to automatic field numbering")
			}
			name = strconv.Itoa(auto)
			auto++
		} else if pmIsDigitStr(name) {
			if auto > 0 {
				return "", auto, Errorf("ValueError", "cannot switch from manual field specification to automatic field numbering")
			}
			auto = -1
		}
		obj, err := f.getField(name)
		if err != nil {
			return "", auto, err
		}
		switch conv {
		case 0:
		case 's':
			obj = String(obj.String())
		case 'r':
			obj = String(pfRepr(obj))
		case 'a':
			obj = String(pfASCII(obj))
		default:
			return "", auto, Errorf("ValueError", "Unknown conversion specifier %c", conv)
		}
		spec, auto, err = f.vformat(spec, depth-1, auto)
		if err != nil {
			return "", auto, err
		}
		if f.esc {
			if obj.k == KindString && obj.safe {
				if spec != "" {
					return "", auto, Errorf("ValueError", "Unsupported format specification for Markup.")
				}
				b.WriteString(obj.s)
				continue
			}
			out, err := pfFormatSpecValue(obj, spec)
			if err != nil {
				return "", auto, err
			}
			b.WriteString(pfHtmlEscapeStr(out))
		} else {
			out, err := pfFormatSpecValue(obj, spec)
			if err != nil {
				return "", auto, err
			}
			b.WriteString(out)
		}
		if f.s != nil {
			if err := f.s.checkSize(b.Len()); err != nil {
				return "", auto, err
			}
		}
	}
	return b.String(), auto, nil
}

// pfFieldIndex is get_integer of unicode_format.h: the value of an all-digit
// field name, or -1.
func pfFieldIndex(s string) (int, error) {
	if s == "" {
		return -1, nil
	}
	n := 0
	for _, r := range s {
		d := pfDecimalValue(r)
		if d < 0 {
			return -1, nil
		}
		if n > (math.MaxInt64-d)/10 {
			return -1, Errorf("ValueError", "Too many decimal digits in format string")
		}
		n = n*10 + d
	}
	return n, nil
}

// getField is SandboxedFormatter.get_field: the argument, then .attr and
// [key] lookups through the sandbox's getattr and getitem.
func (f *pfStrFormatter) getField(name string) (Value, error) {
	k := 0
	for k < len(name) && name[k] != '.' && name[k] != '[' {
		k++
	}
	first := name[:k]
	rest := name[k:]
	idx, err := pfFieldIndex(first)
	if err != nil {
		return Value{}, err
	}
	var obj Value
	if idx >= 0 {
		if f.useMap || idx >= len(f.pos) {
			return Value{}, Errorf("IndexError", "tuple index out of range")
		}
		obj = f.pos[idx]
	} else if f.useMap {
		switch m := f.mapping; m.k {
		case KindDict:
			v, ok := m.Dict().GetStr(first)
			if !ok {
				return Value{}, Errorf("KeyError", "%s", PyQuote(first))
			}
			obj = v
		case KindUndefined:
			return Value{}, m.undefinedError()
		case KindObject:
			ig, ok := m.p.(ItemGetter)
			if !ok {
				return Value{}, typeErrorf("'%s' object is not subscriptable", m.TypeName())
			}
			v, ok := ig.Item(String(first))
			if !ok {
				return Value{}, Errorf("KeyError", "%s", PyQuote(first))
			}
			obj = v
		case KindList, KindTuple:
			return Value{}, typeErrorf("%s indices must be integers or slices, not str", m.TypeName())
		case KindString:
			return Value{}, typeErrorf("string indices must be integers, not 'str'")
		default:
			return Value{}, typeErrorf("'%s' object is not subscriptable", m.TypeName())
		}
	} else {
		found := false
		for _, kw := range f.kw {
			if kw.Name == first {
				obj, found = kw.Value, true
				break
			}
		}
		if !found {
			return Value{}, Errorf("KeyError", "%s", PyQuote(first))
		}
	}
	for rest != "" {
		c := rest[0]
		rest = rest[1:]
		var part string
		switch c {
		case '.':
			e := 0
			for e < len(rest) && rest[e] != '.' && rest[e] != '[' {
				e++
			}
			part, rest = rest[:e], rest[e:]
			if part == "" {
				return Value{}, Errorf("ValueError", "Empty attribute in format string")
			}
			if f.s == nil {
				return Value{}, Errorf("TypeError", "no state")
			}
			obj, err = f.s.Attr(obj, part)
			if err != nil {
				return Value{}, err
			}
		case '[':
			e := strings.IndexByte(rest, ']')
			if e < 0 {
				return Value{}, Errorf("ValueError", "Missing ']' in format string")
			}
			part, rest = rest[:e], rest[e+1:]
			if part == "" {
				return Value{}, Errorf("ValueError", "Empty attribute in format string")
			}
			key := String(part)
			ix, err := pfFieldIndex(part)
			if err != nil {
				return Value{}, err
			}
			if ix >= 0 {
				key = Int(int64(ix))
			}
			if f.s == nil {
				return Value{}, Errorf("TypeError", "no state")
			}
			obj, err = f.s.Item(obj, key)
			if err != nil {
				return Value{}, err
			}
		default:
			return Value{}, Errorf("ValueError", "Only '.' or '[' may follow ']' in format field specifier")
		}
	}
	return obj, nil
}
