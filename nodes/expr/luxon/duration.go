package luxon

import (
	"fmt"
	"math"
	"strings"
)

// durUnit indexes Duration units, largest first (Luxon's orderedUnits).
type durUnit int8

const (
	uYears durUnit = iota
	uQuarters
	uMonths
	uWeeks
	uDays
	uHours
	uMinutes
	uSeconds
	uMilliseconds
	numDurUnits
)

var durUnitNames = [numDurUnits]string{
	"years", "quarters", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds",
}

func (u durUnit) String() string { return durUnitNames[u] }

// parseDurUnit is Luxon's Duration.normalizeUnit: singular or plural, any case.
func parseDurUnit(s string) (durUnit, error) {
	switch strings.ToLower(s) {
	case "year", "years":
		return uYears, nil
	case "quarter", "quarters":
		return uQuarters, nil
	case "month", "months":
		return uMonths, nil
	case "week", "weeks":
		return uWeeks, nil
	case "day", "days":
		return uDays, nil
	case "hour", "hours":
		return uHours, nil
	case "minute", "minutes":
		return uMinutes, nil
	case "second", "seconds":
		return uSeconds, nil
	case "millisecond", "milliseconds":
		return uMilliseconds, nil
	}
	return 0, invalidUnitError(s)
}

// conversion matrices: matrix[from][to] is how many "to" make one "from".
type matrix [numDurUnits][numDurUnits]float64

var casualMatrix, accurateMatrix = buildMatrices()

func buildMatrices() (casual, accurate matrix) {
	low := func(m *matrix) {
		m[uWeeks][uDays] = 7
		m[uWeeks][uHours] = 7 * 24
		m[uWeeks][uMinutes] = 7 * 24 * 60
		m[uWeeks][uSeconds] = 7 * 24 * 60 * 60
		m[uWeeks][uMilliseconds] = 7 * 24 * 60 * 60 * 1000
		m[uDays][uHours] = 24
		m[uDays][uMinutes] = 24 * 60
		m[uDays][uSeconds] = 24 * 60 * 60
		m[uDays][uMilliseconds] = 24 * 60 * 60 * 1000
		m[uHours][uMinutes] = 60
		m[uHours][uSeconds] = 60 * 60
		m[uHours][uMilliseconds] = 60 * 60 * 1000
		m[uMinutes][uSeconds] = 60
		m[uMinutes][uMilliseconds] = 60 * 1000
		m[uSeconds][uMilliseconds] = 1000
	}
	low(&casual)
	casual[uYears] = [numDurUnits]float64{0, 4, 12, 52, 365, 365 * 24, 365 * 24 * 60, 365 * 24 * 60 * 60, 365 * 24 * 60 * 60 * 1000}
	casual[uQuarters] = [numDurUnits]float64{0, 0, 3, 13, 91, 91 * 24, 91 * 24 * 60, 91 * 24 * 60 * 60, 91 * 24 * 60 * 60 * 1000}
	casual[uMonths] = [numDurUnits]float64{0, 0, 0, 4, 30, 30 * 24, 30 * 24 * 60, 30 * 24 * 60 * 60, 30 * 24 * 60 * 60 * 1000}

	low(&accurate)
	const diy = 146097.0 / 400
	const dim = 146097.0 / 4800
	accurate[uYears] = [numDurUnits]float64{0, 4, 12, diy / 7, diy, diy * 24, diy * 24 * 60, diy * 24 * 60 * 60, diy * 24 * 60 * 60 * 1000}
	accurate[uQuarters] = [numDurUnits]float64{0, 0, 3, diy / 28, diy / 4, (diy * 24) / 4, (diy * 24 * 60) / 4, (diy * 24 * 60 * 60) / 4, (diy * 24 * 60 * 60 * 1000) / 4}
	accurate[uMonths] = [numDurUnits]float64{0, 0, 0, dim / 7, dim, dim * 24, dim * 24 * 60, dim * 24 * 60 * 60, dim * 24 * 60 * 60 * 1000}
	return
}

// durValues is a Duration's "values" object: the units it was given, in the
// order they were given (JS objects keep insertion order, and toObject shows it).
type durValues struct {
	v     [numDurUnits]float64
	order [numDurUnits]durUnit
	n     int8
}

func (d *durValues) has(u durUnit) bool {
	for i := int8(0); i < d.n; i++ {
		if d.order[i] == u {
			return true
		}
	}
	return false
}

// set stores a value, appending the unit to the key order when it is new.
func (d *durValues) set(u durUnit, x float64) {
	if !d.has(u) {
		d.order[d.n] = u
		d.n++
	}
	d.v[u] = x
}

// get is the value or 0 (Luxon's `this.values.x || 0`).
func (d *durValues) get(u durUnit) float64 {
	x := d.v[u]
	if math.IsNaN(x) {
		return 0
	}
	return x
}

// keys returns the units present, in insertion order.
func (d *durValues) keys() []durUnit { return d.order[:d.n] }

// duration is Luxon's Duration.
type duration struct {
	vals     durValues
	longterm bool // conversionAccuracy "longterm"
	inv      *invalidInfo
}

func (d *duration) matrix() *matrix {
	if d.longterm {
		return &accurateMatrix
	}
	return &casualMatrix
}

func (d *duration) valid() bool { return d.inv == nil }

func invalidDuration(reason, explanation string) *duration {
	return &duration{inv: &invalidInfo{reason: reason, explanation: explanation}}
}

func durationFromMillis(ms float64) *duration {
	d := &duration{}
	d.vals.set(uMilliseconds, ms)
	return d
}

// get returns a unit's value, NaN for an invalid duration.
func (d *duration) get(u durUnit) float64 {
	if !d.valid() {
		return math.NaN()
	}
	return d.vals.get(u)
}

func durationToMillis(m *matrix, vals *durValues) float64 {
	sum := 0.0
	if vals.has(uMilliseconds) {
		sum = vals.v[uMilliseconds]
	}
	for u := uSeconds; u >= uYears; u-- {
		if x := vals.v[u]; vals.has(u) && x != 0 && !math.IsNaN(x) {
			sum += x * m[u][uMilliseconds]
		}
	}
	return sum
}

// toMillis is Luxon's Duration#toMillis.
func (d *duration) toMillis() float64 {
	if !d.valid() {
		return math.NaN()
	}
	return durationToMillis(d.matrix(), &d.vals)
}

// normalizeValues rolls values up and fractions down, as Luxon does after shiftTo.
func normalizeValues(m *matrix, vals *durValues) {
	factor := 1.0
	if durationToMillis(m, vals) < 0 {
		factor = -1
	}
	previous := durUnit(-1)
	for cur := uMilliseconds; cur >= uYears; cur-- {
		if !vals.has(cur) {
			continue
		}
		if previous >= 0 {
			previousVal := vals.v[previous] * factor
			conv := m[cur][previous]
			rollUp := math.Floor(previousVal / conv)
			vals.v[cur] += rollUp * factor
			vals.v[previous] -= rollUp * conv * factor
		}
		previous = cur
	}
	previous = -1
	for cur := uYears; cur <= uMilliseconds; cur++ {
		if !vals.has(cur) {
			continue
		}
		if previous >= 0 {
			fraction := math.Mod(vals.v[previous], 1)
			vals.v[previous] -= fraction
			vals.v[cur] += fraction * m[previous][cur]
		}
		previous = cur
	}
}

// shiftTo is Luxon's Duration#shiftTo.
func (d *duration) shiftTo(units ...durUnit) *duration {
	if !d.valid() || len(units) == 0 {
		return d
	}
	want := [numDurUnits]bool{}
	for _, u := range units {
		want[u] = true
	}
	m := d.matrix()
	var built durValues
	var acc [numDurUnits]float64
	var accHas [numDurUnits]bool
	lastUnit := durUnit(-1)
	for k := uYears; k <= uMilliseconds; k++ {
		if want[k] {
			lastUnit = k
			own := 0.0
			for ak := uYears; ak <= uMilliseconds; ak++ {
				if accHas[ak] {
					own += m[ak][k] * acc[ak]
					acc[ak] = 0
				}
			}
			if d.vals.has(k) {
				own += d.vals.v[k]
			}
			i := math.Trunc(own)
			built.set(k, i)
			acc[k] = (own*1000 - i*1000) / 1000
			accHas[k] = true
		} else if d.vals.has(k) {
			acc[k] = d.vals.v[k]
			accHas[k] = true
		}
	}
	for key := uYears; key <= uMilliseconds; key++ {
		if accHas[key] && acc[key] != 0 {
			if key == lastUnit {
				built.v[lastUnit] += acc[key]
			} else {
				built.v[lastUnit] += acc[key] / m[lastUnit][key]
			}
		}
	}
	normalizeValues(m, &built)
	return &duration{vals: built, longterm: d.longterm}
}

// as is Luxon's Duration#as.
func (d *duration) as(u durUnit) float64 {
	if !d.valid() {
		return math.NaN()
	}
	return d.shiftTo(u).get(u)
}

// negate flips every value's sign (keeping zeros positive).
func (d *duration) negate() *duration {
	if !d.valid() {
		return d
	}
	out := &duration{longterm: d.longterm, vals: d.vals}
	for _, k := range out.vals.keys() {
		if out.vals.v[k] != 0 {
			out.vals.v[k] = -out.vals.v[k]
		}
	}
	return out
}

// plus adds other unit by unit, in unit order (Luxon's Duration#plus).
func (d *duration) plus(other *duration) *duration {
	if !d.valid() {
		return d
	}
	out := &duration{longterm: d.longterm}
	for k := uYears; k <= uMilliseconds; k++ {
		if other.vals.has(k) || d.vals.has(k) {
			out.vals.set(k, other.get(k)+d.get(k))
		}
	}
	return out
}

// normalize is Luxon's Duration#normalize.
func (d *duration) normalize() *duration {
	if !d.valid() {
		return d
	}
	out := &duration{longterm: d.longterm, vals: d.vals}
	normalizeValues(out.matrix(), &out.vals)
	return out
}

// rescale is Luxon's Duration#rescale: normalize, shift to all units, drop zeros.
func (d *duration) rescale() *duration {
	if !d.valid() {
		return d
	}
	all := d.normalize().shiftTo(uYears, uMonths, uWeeks, uDays, uHours, uMinutes, uSeconds, uMilliseconds)
	out := &duration{longterm: d.longterm}
	for _, k := range all.vals.keys() {
		if all.vals.v[k] != 0 {
			out.vals.set(k, all.vals.v[k])
		}
	}
	return out
}

// toISO is Luxon's Duration#toISO.
func (d *duration) toISO() (string, bool) {
	if !d.valid() {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('P')
	g := d.vals.get
	if x := g(uYears); x != 0 {
		b.WriteString(jsNumber(x) + "Y")
	}
	if g(uMonths) != 0 || g(uQuarters) != 0 {
		b.WriteString(jsNumber(g(uMonths)+g(uQuarters)*3) + "M")
	}
	if x := g(uWeeks); x != 0 {
		b.WriteString(jsNumber(x) + "W")
	}
	if x := g(uDays); x != 0 {
		b.WriteString(jsNumber(x) + "D")
	}
	if g(uHours) != 0 || g(uMinutes) != 0 || g(uSeconds) != 0 || g(uMilliseconds) != 0 {
		b.WriteByte('T')
	}
	if x := g(uHours); x != 0 {
		b.WriteString(jsNumber(x) + "H")
	}
	if x := g(uMinutes); x != 0 {
		b.WriteString(jsNumber(x) + "M")
	}
	if g(uSeconds) != 0 || g(uMilliseconds) != 0 {
		b.WriteString(jsNumber(roundTo(g(uSeconds)+g(uMilliseconds)/1000, 3)) + "S")
	}
	if b.Len() == 1 {
		b.WriteString("T0S")
	}
	return b.String(), true
}

// equals is Luxon's Duration#equals: 0 and missing count as the same.
func (d *duration) equals(o *duration) bool {
	if !d.valid() || !o.valid() {
		return false
	}
	for u := uYears; u <= uMilliseconds; u++ {
		a, b := d.vals.v[u], o.vals.v[u]
		if !d.vals.has(u) {
			a = 0
		}
		if !o.vals.has(u) {
			b = 0
		}
		if a != b {
			return false
		}
	}
	return true
}

// roundTo rounds to digits decimals the way Luxon does (Math.round semantics).
func roundTo(x float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return jsRound(x*f) / f
}

// jsRound is JavaScript's Math.round: halves round up, towards +Infinity.
func jsRound(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	r := math.Floor(x)
	if x-r >= 0.5 {
		r++
	}
	if r == 0 && math.Signbit(x) {
		return math.Copysign(0, -1)
	}
	return r
}

func invalidUnitError(unit string) error {
	return &luxonError{name: "InvalidUnitError", msg: "Invalid unit " + unit}
}

// luxonError is an error Luxon would throw; bindings turn it into a JS Error.
type luxonError struct {
	name string
	msg  string
}

func (e *luxonError) Error() string { return e.msg }

func argumentError(format string, args ...any) error {
	return &luxonError{name: "InvalidArgumentError", msg: fmt.Sprintf(format, args...)}
}

func conflictError(msg string) error {
	return &luxonError{name: "ConflictingSpecificationError", msg: msg}
}

// invalidInfo says why a DateTime, Duration or Interval is invalid.
type invalidInfo struct {
	reason      string
	explanation string
}
