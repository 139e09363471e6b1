package nodes

import (
	"math"
	"strings"
	"time"

	"github.com/weft/weft/nodes/expr/luxon"
)

// DateTime is n8n's Date & Time node (n8n-nodes-base.dateTime) version 2:
// get the current date, add to or subtract from a date, format, round,
// measure the time between two dates and extract parts, with Luxon's
// semantics.
type DateTime struct{}

func init() { Register(DateTime{}) }

// DateTimeParams are the Date & Time node's parameters; which apply
// depends on the operation.
type DateTimeParams struct {
	Operation       string          `json:"operation" doc:"getCurrentDate (default), addToDate, subtractFromDate, formatDate, roundDate, getTimeBetweenDates or extractDate"`
	IncludeTime     *bool           `json:"includeTime" doc:"getCurrentDate: include the time (default true) or give midnight"`
	Magnitude       any             `json:"magnitude" doc:"addToDate/subtractFromDate: the date to change"`
	TimeUnit        string          `json:"timeUnit" doc:"addToDate/subtractFromDate: years, quarters, months, weeks, days (default), hours, minutes, seconds or milliseconds"`
	Duration        any             `json:"duration" doc:"addToDate/subtractFromDate: how many units"`
	Date            any             `json:"date" doc:"formatDate/roundDate/extractDate: the date"`
	Format          string          `json:"format" doc:"formatDate: a Luxon format (default MM/dd/yyyy) or custom"`
	CustomFormat    string          `json:"customFormat" doc:"formatDate: the Luxon format when format is custom"`
	Mode            string          `json:"mode" doc:"roundDate: roundDown (default) or roundUp"`
	ToNearest       string          `json:"toNearest" doc:"roundDate down: year, month (default), week, day, hour, minute or second"`
	To              string          `json:"to" doc:"roundDate up: month (to the start of the next month)"`
	StartDate       any             `json:"startDate" doc:"getTimeBetweenDates: the start"`
	EndDate         any             `json:"endDate" doc:"getTimeBetweenDates: the end"`
	Units           any             `json:"units" doc:"getTimeBetweenDates: year, month, week, day (default), hour, minute, second, millisecond"`
	Part            string          `json:"part" doc:"extractDate: year, month (default), week, day, hour, minute or second"`
	OutputFieldName string          `json:"outputFieldName" doc:"the output field (default per operation: currentDate, newDate, formattedDate, roundedDate, timeDifference, datePart)"`
	Options         DateTimeOptions `json:"options" doc:"options"`
}

// DateTimeOptions are the Date & Time node's options.
type DateTimeOptions struct {
	IncludeInputFields bool   `json:"includeInputFields" doc:"keep the input item's fields"`
	Timezone           any    `json:"timezone" doc:"getCurrentDate: the zone to use; formatDate: true to use the workflow's zone"`
	FromFormat         string `json:"fromFormat" doc:"formatDate: the Luxon format of the input date"`
	IsoString          bool   `json:"isoString" doc:"getTimeBetweenDates: output an ISO 8601 duration"`
}

var dateTimeDefaults = map[string]string{
	"getCurrentDate": "currentDate", "addToDate": "newDate", "subtractFromDate": "newDate",
	"formatDate": "formattedDate", "roundDate": "roundedDate", "getTimeBetweenDates": "timeDifference",
	"extractDate": "datePart",
}

var (
	dateTimeUnits   = allowedModes("years", "quarters", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds")
	dateTimeRound   = allowedModes("year", "month", "week", "day", "hour", "minute", "second")
	dateTimeBetween = allowedModes("year", "month", "week", "day", "hour", "minute", "second", "millisecond")
	dateTimeParts   = allowedModes("year", "month", "week", "day", "hour", "minute", "second")
)

// Describe implements Node.
func (DateTime) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.dateTime",
		DisplayName: "Date & Time",
		Summary:     "Manipulates date and time values.",
		Versions:    []float64{2},
		Kind:        KindPure,
		Params:      DateTimeParams{},
	}
}

// Validate implements Node.
func (DateTime) Validate(n *NodeInstance) error {
	var p DateTimeParams
	if err := StaticParams(n, &p); err != nil {
		return ParamErrorf("", "%v", err)
	}
	op := p.Operation
	if op == "" {
		op = "getCurrentDate"
	}
	if _, ok := dateTimeDefaults[op]; !ok {
		return ParamErrorf("operation", "unknown operation %q (use getCurrentDate, addToDate, subtractFromDate, formatDate, roundDate, getTimeBetweenDates or extractDate)", op)
	}
	switch op {
	case "getCurrentDate":
		if tz, ok := p.Options.Timezone.(string); ok && tz != "" {
			if !luxon.NewEnv(nil, nil).FromMillis(0).SetZone(tz).Valid() {
				return ParamErrorf("options.timezone", "the timezone %s is not valid", tz)
			}
		}
	case "addToDate", "subtractFromDate":
		if p.TimeUnit != "" && !dateTimeUnits[p.TimeUnit] {
			return ParamErrorf("timeUnit", "unknown time unit %q", p.TimeUnit)
		}
		if _, ok := n.Parameters["magnitude"]; !ok {
			return ParamErrorf("magnitude", "required: the date to change")
		}
	case "roundDate":
		switch p.Mode {
		case "", "roundDown":
			if p.ToNearest != "" && !dateTimeRound[p.ToNearest] {
				return ParamErrorf("toNearest", "unknown unit %q", p.ToNearest)
			}
		case "roundUp":
			if p.To != "" && p.To != "month" {
				return ParamErrorf("to", "unknown value %q (only month)", p.To)
			}
		default:
			return ParamErrorf("mode", "unknown mode %q (use roundDown or roundUp)", p.Mode)
		}
	case "getTimeBetweenDates":
		if list, ok := p.Units.([]any); ok {
			if len(list) == 0 {
				return ParamErrorf("units", "choose at least one unit")
			}
			for _, u := range list {
				if s, _ := u.(string); !dateTimeBetween[s] {
					return ParamErrorf("units", "unknown unit %v", u)
				}
			}
		}
	case "extractDate":
		if p.Part != "" && !dateTimeParts[p.Part] {
			return ParamErrorf("part", "unknown part %q", p.Part)
		}
	}
	return nil
}

// Execute implements Node.
func (DateTime) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := firstInput(in)
	out := make([]Item, 0, len(items))
	op := "getCurrentDate"
	includeInput := false
	if len(items) > 0 {
		v, err := ctx.Param("operation", 0, op)
		if err != nil {
			return nil, err
		}
		op, _ = v.(string)
		inc, err := ctx.Param("options.includeInputFields", 0, false)
		if err != nil {
			return nil, err
		}
		includeInput = jsTruthy(NormalizeJSON(inc))
	}
	now := time.Now
	if ctx.Now != nil {
		now = ctx.Now
	}
	// Luxon's default zone is the workflow's: "default" names it below.
	env := luxon.NewEnv(ctx.Location, now)
	for i, it := range items {
		res := NewItem(nil)
		if includeInput {
			for k, v := range it.JSON {
				res.JSON[k] = v
			}
			res.Binary = it.Binary
		}
		res.PairedItem = PairedItems{{Item: i}}
		if err := dateTimeItem(ctx, env, op, i, res.JSON); err != nil {
			ne := AsNodeError(err)
			if ctx.ContinueOnFail() {
				out = append(out, failedItem(ne, i))
				continue
			}
			if ne.ItemIndex == nil {
				ne.AtItem(i)
			}
			return nil, ne
		}
		out = append(out, res)
	}
	return [][]Item{out}, nil
}

// dateTimeItem runs the operation for item i, writing into j.
func dateTimeItem(ctx *Context, env *luxon.Env, op string, i int, j map[string]any) error {
	param := func(name string, def any) (any, error) {
		if raw, set := ctx.RawParam(name); set && raw == nil {
			// n8n fills a static null parameter with its default.
			return def, nil
		}
		v, err := ctx.Param(name, i, def)
		if err != nil {
			return nil, err
		}
		if _, isTime := v.(time.Time); isTime {
			return v, nil
		}
		return NormalizeJSON(v), nil
	}
	str := func(name, def string) (string, error) {
		v, err := param(name, def)
		if err != nil {
			return "", err
		}
		if v == nil {
			return "", nil
		}
		return jsToString(v), nil
	}
	output, err := str("outputFieldName", dateTimeDefaults[op])
	if err != nil {
		return err
	}
	switch op {
	case "getCurrentDate":
		inc, err := param("includeTime", true)
		if err != nil {
			return err
		}
		tz, err := param("options.timezone", "")
		if err != nil {
			return err
		}
		d := env.NowDateTime()
		if name := jsStringOrEmpty(tz); name != "" {
			if d = d.SetZone(name); d.InvalidReason() == "unsupported zone" {
				return NewNodeError("The timezone %s is not valid. Please check the timezone.", name)
			}
		}
		if !jsTruthy(inc) {
			d, _ = d.StartOf("day")
		}
		j[output] = d.String()
	case "addToDate", "subtractFromDate":
		date, err := param("magnitude", "")
		if err != nil {
			return err
		}
		unit, err := str("timeUnit", "days")
		if err != nil {
			return err
		}
		amount, err := param("duration", 0.0)
		if err != nil {
			return err
		}
		d, err := parseNodeDate(env, date, workflowZone, "")
		if err != nil {
			return err
		}
		// Luxon's plus({[unit]: amount}): an invalid DateTime stays as it is,
		// a null amount is skipped, the unit is named before the amount is
		// read as a number.
		if d.Valid() && amount != nil {
			if _, err := luxon.NormalizeUnit(unit); err != nil {
				return NewNodeError("%s", err.Error())
			}
			n := jsNumber(amount)
			if _, isBool := amount.(bool); isBool || amount == "" || math.IsNaN(n) {
				return NewNodeError("Invalid unit value %s", jsToString(amount))
			}
			if op == "subtractFromDate" {
				n = -n
			}
			d, _ = d.Plus(n, unit)
		}
		j[output] = d.String()
	case "formatDate":
		date, err := param("date", "")
		if err != nil {
			return err
		}
		format, err := str("format", "MM/dd/yyyy")
		if err != nil {
			return err
		}
		useWorkflowZone, err := param("options.timezone", false)
		if err != nil {
			return err
		}
		fromFmt, err := str("options.fromFormat", "")
		if err != nil {
			return err
		}
		if date == nil {
			j[output] = nil
			return nil
		}
		tz := ""
		if jsTruthy(useWorkflowZone) {
			tz = workflowZone
		}
		d, err := parseNodeDate(env, date, tz, fromFmt)
		if err != nil {
			return err
		}
		if format == "custom" {
			if format, err = str("customFormat", ""); err != nil {
				return err
			}
		}
		j[output] = d.Format(format)
	case "roundDate":
		date, err := param("date", "")
		if err != nil {
			return err
		}
		mode, err := str("mode", "roundDown")
		if err != nil {
			return err
		}
		d, err := parseNodeDate(env, date, workflowZone, "")
		if err != nil {
			return err
		}
		switch mode {
		case "roundDown":
			unit, err := str("toNearest", "month")
			if err != nil {
				return err
			}
			if d, err = d.StartOf(unit); err != nil {
				return NewNodeError("%s", err.Error())
			}
			j[output] = d.String()
		case "roundUp":
			unit, err := str("to", "month")
			if err != nil {
				return err
			}
			if d, err = d.Plus(1, unit); err == nil {
				d, err = d.StartOf(unit)
			}
			if err != nil {
				return NewNodeError("%s", err.Error())
			}
			j[output] = d.String()
		}
	case "getTimeBetweenDates":
		start, err := param("startDate", "")
		if err != nil {
			return err
		}
		end, err := param("endDate", "")
		if err != nil {
			return err
		}
		unitsV, err := param("units", []any{"day"})
		if err != nil {
			return err
		}
		iso, err := param("options.isoString", false)
		if err != nil {
			return err
		}
		var units []string
		switch x := unitsV.(type) {
		case []any:
			for _, u := range x {
				units = append(units, jsToString(u))
			}
		case string:
			units = []string{x}
		}
		ds, err := parseNodeDate(env, start, workflowZone, "")
		if err != nil {
			return err
		}
		de, err := parseNodeDate(env, end, workflowZone, "")
		if err != nil {
			return err
		}
		dur, err := de.Diff(ds, units...)
		if err != nil {
			return NewNodeError("%s", err.Error())
		}
		if !jsTruthy(iso) {
			obj := map[string]any{}
			for k, v := range dur.Object() {
				obj[k] = v
			}
			j[output] = obj
		} else if s, ok := dur.ISO(); ok {
			j[output] = s
		} else {
			// An invalid Duration's toString is null.
			j[output] = nil
		}
	case "extractDate":
		date, err := param("date", "")
		if err != nil {
			return err
		}
		part, err := str("part", "month")
		if err != nil {
			return err
		}
		d, err := parseNodeDate(env, date, workflowZone, "")
		if err != nil {
			return err
		}
		if part == "week" {
			part = "weekNumber"
		}
		if x, ok := d.Get(part); ok {
			j[output] = x
		} else {
			j[output] = nil
		}
	default:
		return NewNodeError("The operation \"%s\" is not supported", op)
	}
	return nil
}

func jsStringOrEmpty(v any) string {
	if v == nil {
		return ""
	}
	return jsToString(v)
}

// workflowZone is the zone name parseNodeDate is given for the workflow's
// zone: the Env's default zone, which is the workflow's.
const workflowZone = "default"

// parseNodeDate is the Date & Time node's parseDate: Luxon DateTimes pass
// through; numbers (and numeric strings) are Unix seconds, or milliseconds
// from 12 digits; other strings are parsed by fromFormat or moment, then
// put in zone tz ("Etc/UTC" when empty; a "+hh" offset in the string picks
// an Etc/GMT zone when no tz is given).
func parseNodeDate(env *luxon.Env, v any, tz, fromFmt string) (luxon.DateTime, error) {
	if t, ok := v.(time.Time); ok {
		return env.DateTimeOf(t), nil
	}
	if fromFmt == "" {
		if _, isObj := v.(map[string]any); !isObj {
			if n := jsNumber(v); !math.IsNaN(n) {
				if n != math.Trunc(n) {
					n *= 1000
				}
				if n != math.Trunc(n) || math.IsInf(n, 0) {
					return luxon.DateTime{}, NewNodeError("date.includes is not a function")
				}
				if len(jsNumberString(n)) < 12 {
					n *= 1000
				}
				return finishNodeDate(env.FromMillis(n).SetZone(zoneOrUTC(tz)))
			}
		}
	}
	s, ok := v.(string)
	if !ok {
		return luxon.DateTime{}, NewNodeError("date.includes is not a function")
	}
	if tz == "" {
		if i := strings.Index(s, "+"); i >= 0 {
			rest := s[i+1:]
			if j := strings.Index(rest, "+"); j >= 0 {
				rest = rest[:j]
			}
			if len(rest) > 2 {
				rest = rest[:2]
			}
			tz = "Etc/GMT-" + jsNumberString(jsStringToNumber(rest))
		}
	}
	var parsed luxon.DateTime
	if fromFmt != "" {
		var err error
		if parsed, err = env.FromFormat(s, fromFmt); err != nil {
			return parsed, NewNodeError("%s", err.Error())
		}
	} else if ms, ok := parseMomentString(s); ok {
		parsed = env.FromMillis(float64(ms))
	} else {
		// n8n reads moment's answer with DateTime.fromISO: an invalid moment
		// gives an unparsable DateTime, which setZone may still turn into an
		// unsupported zone.
		parsed = env.Invalid("unparsable", "")
	}
	return finishNodeDate(parsed.SetZone(zoneOrUTC(tz)))
}

func zoneOrUTC(tz string) string {
	if tz == "" {
		return "Etc/UTC"
	}
	return tz
}

func finishNodeDate(d luxon.DateTime) (luxon.DateTime, error) {
	if d.InvalidReason() == "unparsable" {
		return d, NewNodeError("Invalid date format")
	}
	return d, nil
}

var _ Node = DateTime{}
