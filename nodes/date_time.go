package nodes

import (
	"math"
	"strings"
	"time"
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
			if _, valid := resolveZone(tz); !valid {
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
	wf := workflowZone(ctx)
	for i, it := range items {
		res := NewItem(nil)
		if includeInput {
			for k, v := range it.JSON {
				res.JSON[k] = v
			}
			res.Binary = it.Binary
		}
		res.PairedItem = PairedItems{{Item: i}}
		if err := dateTimeItem(ctx, op, i, wf, res.JSON); err != nil {
			ne := AsNodeError(err)
			if ctx.ContinueOnFail() {
				failed := NewItem(map[string]any{"error": ne.Message})
				failed.PairedItem = PairedItems{{Item: i}}
				failed.Error = ne
				out = append(out, failed)
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

// workflowZone is the workflow's timezone as a Luxon zone.
func workflowZone(ctx *Context) *dtZone {
	if ctx.Location == nil {
		return dtUTC
	}
	return zoneOfLocation(ctx.Location)
}

// dateTimeItem runs the operation for item i, writing into j.
func dateTimeItem(ctx *Context, op string, i int, wf *dtZone, j map[string]any) error {
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
	now := time.Now
	if ctx.Now != nil {
		now = ctx.Now
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
		zone := wf
		if name := jsStringOrEmpty(tz); name != "" {
			z, ok := resolveZone(name)
			if !ok {
				return NewNodeError("The timezone %s is not valid. Please check the timezone.", name)
			}
			zone = z
		}
		d := luxonTime{ms: now().UnixMilli(), zone: zone}
		if !jsTruthy(inc) {
			d = d.startOf("day")
		}
		j[output] = d.iso()
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
		n, ok := amount.(float64)
		if !ok {
			return NewNodeError("Invalid unit value %s", jsToString(amount))
		}
		u, ok := normalizeLuxonUnit(unit)
		if !ok {
			return NewNodeError("Invalid unit %s", unit)
		}
		d, err := parseNodeDate(date, wf.name, "", wf, now)
		if err != nil {
			return err
		}
		if op == "subtractFromDate" {
			n = -n
		}
		j[output] = d.plus(map[string]float64{u: n}).iso()
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
			tz = wf.name
		}
		d, err := parseNodeDate(date, tz, fromFmt, wf, now)
		if err != nil {
			return err
		}
		if format == "custom" {
			if format, err = str("customFormat", ""); err != nil {
				return err
			}
		}
		j[output] = d.toFormat(format)
	case "roundDate":
		date, err := param("date", "")
		if err != nil {
			return err
		}
		mode, err := str("mode", "roundDown")
		if err != nil {
			return err
		}
		d, err := parseNodeDate(date, wf.name, "", wf, now)
		if err != nil {
			return err
		}
		switch mode {
		case "roundDown":
			unit, err := str("toNearest", "month")
			if err != nil {
				return err
			}
			if _, ok := normalizeLuxonUnit(unit); !ok {
				return NewNodeError("Invalid unit %s", unit)
			}
			j[output] = d.startOf(unit).iso()
		case "roundUp":
			unit, err := str("to", "month")
			if err != nil {
				return err
			}
			u, ok := normalizeLuxonUnit(unit)
			if !ok {
				return NewNodeError("Invalid unit %s", unit)
			}
			j[output] = d.plus(map[string]float64{u: 1}).startOf(unit).iso()
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
		ds, err := parseNodeDate(start, wf.name, "", wf, now)
		if err != nil {
			return err
		}
		de, err := parseNodeDate(end, wf.name, "", wf, now)
		if err != nil {
			return err
		}
		dur, err := de.diff(ds, units)
		if err != nil {
			return err
		}
		if jsTruthy(iso) {
			j[output] = dur.iso()
		} else {
			j[output] = dur.toObject()
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
		d, err := parseNodeDate(date, wf.name, "", wf, now)
		if err != nil {
			return err
		}
		if part == "week" {
			j[output] = d.get("weekNumber")
		} else {
			j[output] = d.get(part)
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

// parseNodeDate is the Date & Time node's parseDate: Luxon DateTimes pass
// through; numbers (and numeric strings) are Unix seconds, or milliseconds
// from 12 digits; other strings are parsed by fromFormat or moment, then
// put in zone tz ("Etc/UTC" when empty; a "+hh" offset in the string picks
// an Etc/GMT zone when no tz is given).
func parseNodeDate(v any, tz, fromFmt string, wf *dtZone, now func() time.Time) (luxonTime, error) {
	if t, ok := v.(time.Time); ok {
		return luxonTime{ms: t.UnixMilli(), zone: zoneOfLocation(t.Location())}, nil
	}
	var parsed luxonTime
	if fromFmt == "" {
		if _, isObj := v.(map[string]any); !isObj {
			if n := loToNumber(v); !math.IsNaN(n) {
				if n != math.Trunc(n) {
					n *= 1000
				}
				if n != math.Trunc(n) || math.IsInf(n, 0) {
					return luxonTime{}, NewNodeError("date.includes is not a function")
				}
				if len(jsNumberString(n)) < 12 {
					parsed = luxonTime{ms: int64(n * 1000), zone: wf}
				} else {
					parsed = luxonTime{ms: int64(n), zone: wf}
				}
				return finishNodeDate(parsed.setZone(zoneOrUTC(tz)))
			}
		}
	}
	s, ok := v.(string)
	if !ok {
		return luxonTime{}, NewNodeError("date.includes is not a function")
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
	if fromFmt != "" {
		parsed = fromFormat(s, fromFmt, wf, now())
	} else if ms, ok := parseMomentString(s); ok {
		parsed = luxonTime{ms: ms, zone: dtUTC}
	} else {
		parsed = invalidTime("unparsable")
	}
	return finishNodeDate(parsed.setZone(zoneOrUTC(tz)))
}

func zoneOrUTC(tz string) string {
	if tz == "" {
		return "Etc/UTC"
	}
	return tz
}

func finishNodeDate(d luxonTime) (luxonTime, error) {
	if d.invalid == "unparsable" {
		return d, NewNodeError("Invalid date format")
	}
	return d, nil
}

var _ Node = DateTime{}
