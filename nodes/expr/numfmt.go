package expr

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// numLocale is the part of a locale's number format that weft knows.
type numLocale struct {
	group, decimal string
	minGrouping    int  // 2: no separator in four-digit integers
	indian         bool // 12,34,567 grouping
	percentSep     string
	// currency: symbol before the number (with symSep between) or after
	// it (with symSep before).
	currencyAfter bool
	symSep        string
}

const (
	nbsp  = "\u00a0"
	nnbsp = "\u202f"
)

var numLocales = map[string]numLocale{
	"en":    {group: ",", decimal: "."},
	"en-IN": {group: ",", decimal: ".", indian: true},
	"de":    {group: ".", decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"de-CH": {group: "’", decimal: ".", percentSep: "", symSep: nbsp},
	"de-AT": {group: nbsp, decimal: ",", percentSep: nbsp, symSep: nbsp},
	"fr":    {group: nnbsp, decimal: ",", percentSep: nnbsp, currencyAfter: true, symSep: nbsp},
	"fr-CH": {group: nnbsp, decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"es":    {group: ".", decimal: ",", minGrouping: 2, percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"es-MX": {group: ",", decimal: "."},
	"it":    {group: ".", decimal: ",", currencyAfter: true, symSep: nbsp},
	"pt":    {group: ".", decimal: ",", symSep: nbsp},
	"pt-PT": {group: nbsp, decimal: ",", minGrouping: 2, currencyAfter: true, symSep: nbsp},
	"nl":    {group: ".", decimal: ",", symSep: nbsp},
	"sv":    {group: nbsp, decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"nb":    {group: nbsp, decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"da":    {group: ".", decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"fi":    {group: nbsp, decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"pl":    {group: nbsp, decimal: ",", minGrouping: 2, currencyAfter: true, symSep: nbsp},
	"cs":    {group: nbsp, decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"ru":    {group: nbsp, decimal: ",", percentSep: nbsp, currencyAfter: true, symSep: nbsp},
	"uk":    {group: nbsp, decimal: ",", currencyAfter: true, symSep: nbsp},
	"tr":    {group: ".", decimal: ",", percentSep: ""},
	"ja":    {group: ",", decimal: "."},
	"zh":    {group: ",", decimal: "."},
	"ko":    {group: ",", decimal: "."},
}

var currencySymbols = map[string]string{
	"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "CN¥", "CAD": "CA$",
	"AUD": "A$", "BRL": "R$", "MXN": "MX$", "KRW": "₩", "ILS": "₪", "NZD": "NZ$", "HKD": "HK$",
	"TWD": "NT$", "VND": "₫", "PHP": "₱", "XAF": "FCFA", "XOF": "F\u202fCFA",
}

var currencyDigits = map[string]int{"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3, "JOD": 3}

func lookupLocale(tags []string) (numLocale, string) {
	for _, t := range tags {
		if l, ok := numLocales[t]; ok {
			return l, t
		}
		lang := strings.SplitN(t, "-", 2)[0]
		if l, ok := numLocales[lang]; ok {
			return l, t
		}
	}
	return numLocales["en"], "en-US"
}

func intOpt(opts map[string]any, name string, def int) (int, bool) {
	switch x := opts[name].(type) {
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n, true
		}
	}
	return def, false
}

// formatNumber implements the part of Intl.NumberFormat n8n's format()
// extension and Number.prototype.toLocaleString use: decimal, percent and
// currency styles, fraction and significant digits, grouping.
func formatNumber(f float64, locales []string, opts map[string]any) (string, error) {
	loc, tag := lookupLocale(locales)
	style, _ := opts["style"].(string)
	if style == "" {
		style = "decimal"
	}
	currency, _ := opts["currency"].(string)
	currency = strings.ToUpper(currency)
	if style == "currency" && currency == "" {
		return "", errors.New("currency code is required with currency style")
	}
	minFD, maxFD := 0, 3
	switch style {
	case "percent":
		maxFD = 0
		f *= 100
	case "currency":
		d, ok := currencyDigits[currency]
		if !ok {
			d = 2
		}
		minFD, maxFD = d, d
	}
	mn, hasMin := intOpt(opts, "minimumFractionDigits", minFD)
	mx, hasMax := intOpt(opts, "maximumFractionDigits", maxFD)
	switch {
	case hasMin && !hasMax:
		if mx < mn {
			mx = mn
		}
	case hasMax && !hasMin:
		if mn > mx {
			mn = mx
		}
	case hasMin && hasMax && mn > mx:
		return "", errors.New("maximumFractionDigits value is out of range")
	}
	minInt, _ := intOpt(opts, "minimumIntegerDigits", 1)
	useGrouping := true
	switch g := opts["useGrouping"].(type) {
	case bool:
		useGrouping = g
	case string:
		useGrouping = g != "false"
	}

	neg := math.Signbit(f) && f != 0
	a := math.Abs(f)
	var num string
	switch {
	case math.IsNaN(f):
		return "NaN", nil
	case math.IsInf(a, 0):
		num = "∞"
	default:
		var intPart, frac string
		if maxSig, ok := intOpt(opts, "maximumSignificantDigits", 21); ok || opts["minimumSignificantDigits"] != nil {
			minSig, _ := intOpt(opts, "minimumSignificantDigits", 1)
			intPart, frac = roundSignificant(a, minSig, maxSig)
		} else {
			intPart, frac = roundFraction(a, mn, mx)
		}
		if intPart == "0" && strings.Trim(frac, "0") == "" {
			neg = false
		}
		for len(intPart) < minInt {
			intPart = "0" + intPart
		}
		if useGrouping {
			intPart = group(intPart, loc)
		}
		num = intPart
		if frac != "" {
			num += loc.decimal + frac
		}
	}
	sign := ""
	if neg {
		sign = "-"
	}
	switch style {
	case "percent":
		return sign + num + loc.percentSep + "%", nil
	case "currency":
		sym := currency
		display, _ := opts["currencyDisplay"].(string)
		if display != "code" {
			if s, ok := currencySymbols[currency]; ok {
				sym = s
				if currency == "USD" && !strings.HasPrefix(tag, "en") && tag != "es-MX" {
					sym = "$"
				}
			} else if display == "" || display == "symbol" {
				sym = currency
			}
		}
		symSep := loc.symSep
		if !loc.currencyAfter && len(sym) == 3 && sym == currency && symSep == "" {
			symSep = nbsp
		}
		if loc.currencyAfter {
			return sign + num + symSep + sym, nil
		}
		return sign + sym + symSep + num, nil
	}
	return sign + num, nil
}

// roundFraction rounds a (≥ 0) half away from zero to at most maxFD
// fraction digits, keeping at least minFD, working on the shortest decimal
// representation of a as ICU does.
func roundFraction(a float64, minFD, maxFD int) (string, string) {
	s := strconv.FormatFloat(a, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) > maxFD {
		digits := intPart + frac[:maxFD]
		up := frac[maxFD] >= '5'
		if up {
			digits = incDecimal(digits)
		}
		il := len(digits) - maxFD
		intPart, frac = digits[:il], digits[il:]
	}
	frac = strings.TrimRight(frac, "0")
	for len(frac) < minFD {
		frac += "0"
	}
	if intPart == "" {
		intPart = "0"
	}
	return intPart, frac
}

func roundSignificant(a float64, minSig, maxSig int) (string, string) {
	if a == 0 {
		frac := strings.Repeat("0", max(minSig-1, 0))
		return "0", frac
	}
	s := strconv.FormatFloat(a, 'e', maxSig-1, 64) // d.ddde±x, round-half-even on the binary value
	e := strings.IndexByte(s, 'e')
	mant := strings.Replace(s[:e], ".", "", 1)
	exp, _ := strconv.Atoi(s[e+1:])
	mant = strings.TrimRight(mant, "0")
	for len(mant) < minSig {
		mant += "0"
	}
	if exp >= 0 {
		if len(mant) <= exp+1 {
			return mant + strings.Repeat("0", exp+1-len(mant)), ""
		}
		return mant[:exp+1], mant[exp+1:]
	}
	return "0", strings.Repeat("0", -exp-1) + mant
}

// incDecimal adds one to a string of decimal digits.
func incDecimal(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

func group(intPart string, loc numLocale) string {
	n := len(intPart)
	if n < 4 || (loc.minGrouping == 2 && n < 5) {
		return intPart
	}
	var parts []string
	first := 3
	rest := intPart
	for len(rest) > first {
		parts = append([]string{rest[len(rest)-first:]}, parts...)
		rest = rest[:len(rest)-first]
		if loc.indian {
			first = 2
		}
	}
	parts = append([]string{rest}, parts...)
	return strings.Join(parts, loc.group)
}
