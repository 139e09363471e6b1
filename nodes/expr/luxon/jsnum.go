package luxon

import (
	"math"
	"strconv"
	"strings"
)

// jsNumber formats a float64 the way JavaScript's Number#toString does.
func jsNumber(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	case x == 0:
		return "0"
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e21 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	abs := math.Abs(x)
	if abs >= 1e-7 && abs < 1e21 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	// Exponential: shortest digits, JS style "1.5e+21" / "1e-7".
	s := strconv.FormatFloat(x, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if exp[0] == '+' || exp[0] == '-' {
		sign := exp[:1]
		digits := strings.TrimLeft(exp[1:], "0")
		if digits == "" {
			digits = "0"
		}
		exp = sign + digits
	}
	return mant + "e" + exp
}

// jsTrunc converts to an integer the way ToIntegerOrInfinity does, clamped to int64.
func jsTrunc(x float64) int64 {
	if math.IsNaN(x) {
		return 0
	}
	if x > math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	if x < math.MinInt64/2 {
		return math.MinInt64 / 2
	}
	return int64(x)
}

// isInteger reports whether x is a finite whole number (JS `x % 1 === 0`).
func isInteger(x float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0) && x == math.Trunc(x)
}
