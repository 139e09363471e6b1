package luxon

// Proleptic Gregorian calendar arithmetic on plain integers, the equivalent
// of what Luxon gets from Date.UTC and getUTC*: no time.Location involved.

const (
	msPerSecond = 1000
	msPerMinute = 60 * msPerSecond
	msPerHour   = 60 * msPerMinute
	msPerDay    = 24 * msPerHour

	// maxDate is the largest |epoch ms| a JS Date can hold.
	maxDate = 8.64e15

	// outOfRange is a local time no DateTime can have.
	outOfRange = 1 << 60
)

// civil is a calendar date and wall-clock time (Luxon's "c" object).
type civil struct {
	year, month, day                  int
	hour, minute, second, millisecond int
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - b*floorDiv(a, b) }

// daysFromCivil returns days since 1970-01-01 for y-m-d (m in 1..12).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd := doy - (153*mp+2)/5 + 1
	mm := mp + 3
	if mm > 12 {
		mm -= 12
	}
	if mm <= 2 {
		yy++
	}
	return int(yy), int(mm), int(dd)
}

// localMillis is Luxon's objToLocalTS: the wall time read as if it were UTC.
// Out-of-range months, days and times roll over as Date.UTC does.
func localMillis(year, month, day, hour, minute, second, ms int64) int64 {
	// Components this large cannot land inside a JS Date's range; answering
	// an out-of-range instant (an invalid DateTime) avoids int64 overflow.
	const limit = 1 << 40
	for _, x := range [...]int64{year, month, day, hour, minute, second, ms} {
		if x > limit || x < -limit {
			return outOfRange
		}
	}
	year += floorDiv(month-1, 12)
	month = floorMod(month-1, 12) + 1
	days := daysFromCivil(year, month, 1) + day - 1
	return days*msPerDay + hour*msPerHour + minute*msPerMinute + second*msPerSecond + ms
}

func (c civil) localMillis() int64 {
	return localMillis(int64(c.year), int64(c.month), int64(c.day), int64(c.hour),
		int64(c.minute), int64(c.second), int64(c.millisecond))
}

// civilFromLocal splits a local timestamp into calendar fields.
func civilFromLocal(local int64) civil {
	days := floorDiv(local, msPerDay)
	rem := local - days*msPerDay
	y, m, d := civilFromDays(days)
	return civil{
		year: y, month: m, day: d,
		hour:        int(rem / msPerHour),
		minute:      int(rem % msPerHour / msPerMinute),
		second:      int(rem % msPerMinute / msPerSecond),
		millisecond: int(rem % msPerSecond),
	}
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeapYear(y) {
		return 366
	}
	return 365
}

// daysInMonth accepts months outside 1..12 and wraps them into the right year.
func daysInMonth(y, m int) int {
	mm := int(floorMod(int64(m-1), 12)) + 1
	yy := y + int(floorDiv(int64(m-1), 12))
	switch mm {
	case 2:
		if isLeapYear(yy) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var (
	nonLeapLadder = [12]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}
	leapLadder    = [12]int{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335}
)

// ordinalOf is the day of the year, 1-based.
func ordinalOf(y, m, d int) int {
	if isLeapYear(y) {
		return d + leapLadder[m-1]
	}
	return d + nonLeapLadder[m-1]
}

// monthDayFromOrdinal is the inverse of ordinalOf.
func monthDayFromOrdinal(y, ordinal int) (m, d int) {
	table := &nonLeapLadder
	if isLeapYear(y) {
		table = &leapLadder
	}
	m0 := 11
	for m0 > 0 && table[m0] >= ordinal {
		m0--
	}
	return m0 + 1, ordinal - table[m0]
}

// isoWeekday is 1 (Monday) … 7 (Sunday).
func isoWeekday(y, m, d int) int {
	return int(floorMod(daysFromCivil(int64(y), int64(m), int64(d))+3, 7)) + 1
}

// weeksInWeekYear is 52 or 53 for ISO week years.
func weeksInWeekYear(weekYear int) int {
	p := func(y int) int64 {
		yy := int64(y)
		return floorMod(yy+floorDiv(yy, 4)-floorDiv(yy, 100)+floorDiv(yy, 400), 7)
	}
	if p(weekYear) == 4 || p(weekYear-1) == 3 {
		return 53
	}
	return 52
}

// isoWeek returns ISO week-year, week number and weekday of a date.
func isoWeek(y, m, d int) (weekYear, weekNumber, weekday int) {
	ordinal := ordinalOf(y, m, d)
	weekday = isoWeekday(y, m, d)
	weekNumber = (ordinal - weekday + 10) / 7
	switch {
	case weekNumber < 1:
		weekYear = y - 1
		weekNumber = weeksInWeekYear(weekYear)
	case weekNumber > weeksInWeekYear(y):
		weekYear = y + 1
		weekNumber = 1
	default:
		weekYear = y
	}
	return
}

// dateFromISOWeek is the inverse of isoWeek.
func dateFromISOWeek(weekYear, weekNumber, weekday int) (y, m, d int) {
	jan4 := isoWeekday(weekYear, 1, 4)
	ordinal := weekNumber*7 + weekday - jan4 - 3
	y = weekYear
	if ordinal < 1 {
		y = weekYear - 1
		ordinal += daysInYear(y)
	} else if ordinal > daysInYear(weekYear) {
		y = weekYear + 1
		ordinal -= daysInYear(weekYear)
	}
	m, d = monthDayFromOrdinal(y, ordinal)
	return
}
